// Package export writes the event log for analysts as NDJSON: one
// CloudEvents 1.0 event in the JSON format per line (the attributes of
// the stream's own structured mode, see events/doc.go), pseudonymised by
// events/privacy unless the national office asked for personal data and
// the disclosure was recorded (rules PD-EXPORT-PSEUDONYMOUS,
// PD-DISCLOSE-REASON). It streams: one event at a time, flushed as it
// goes, so its memory does not grow with the number of events. It is
// pure: the events come through Source, the bytes go to an io.Writer.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/privacy"
)

// ContentType is the media type of the export.
const ContentType = "application/x-ndjson"

// Source is where the events come from; events.Store satisfies it.
type Source interface {
	// Events calls fn for every event with from <= sequence <= to (to = 0:
	// up to the last event at the time of the call), in stream order.
	Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error
}

// Bound is one end of an export's range: a stream sequence, or an
// instant on the range's clock; the zero Bound is open.
type Bound struct {
	Sequence uint64
	At       time.Time
}

// IsZero reports whether b is open.
func (b Bound) IsZero() bool { return b.Sequence == 0 && b.At.IsZero() }

// ParseBound reads a bound as --from, --to and the from/to query
// parameters take it: a stream sequence (1500), an RFC 3339 time, or a
// date (for --to the end of that day, for --from its start, UTC).
func ParseBound(s string, end bool) (Bound, bool) {
	if s == "" {
		return Bound{}, true
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil && n > 0 {
		return Bound{Sequence: n}, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return Bound{At: t}, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Bound{At: t}, true
	}
	return Bound{}, false
}

// Options say what an export holds.
type Options struct {
	// From and To bound the events (both included; open when zero).
	From, To Bound
	// Axis is the clock the time bounds are read on (rule ASOF-CLOCK;
	// events.DefaultTimeAxis when empty). On the recorded clock the
	// export stops at the first event recorded after To; on the effective
	// clock it reads to the stream's end, back-dated events coming late.
	Axis events.TimeAxis
	// Personal keeps the personal data and the actors' identities: only
	// for the national office, once the disclosure is recorded
	// (PD-DISCLOSE-REASON). Otherwise every line is pseudonymised.
	Personal bool
	// Open opens the sealed personal blocks of a disclosed export
	// (Personal set): each "personal_sealed" becomes "personal" in clear,
	// or "personal_erased" for an erased subject (privacy.DisclosePersonal).
	// Only grants serve holds the keys; nil leaves the blocks sealed.
	Open privacy.OpenFunc
	// Pseudonyms pseudonymises the actors (nil: a fresh one).
	Pseudonyms *privacy.Pseudonymiser
	// FlushEvery flushes the output after this many events (default 256)
	// and at the end; Flush, if set, is called after each flush (an HTTP
	// answer's http.Flusher).
	FlushEvery int
	Flush      func()
}

// Stats describe an export.
type Stats struct {
	// Events is the number of lines written.
	Events uint64
	// First and Last are the stream sequences of the first and last.
	First, Last uint64
}

// errStop ends the read at the range's end.
var errStop = errors.New("end of the range")

// Write writes the events of src in the range of o to w, one line each,
// and returns what it wrote. It stops when ctx ends (a client that went
// away) with ctx's error.
func Write(ctx context.Context, src Source, w io.Writer, o Options) (Stats, error) {
	axis := o.Axis
	if axis == "" {
		axis = events.DefaultTimeAxis
	}
	ps := o.Pseudonyms
	if ps == nil {
		ps = privacy.NewPseudonymiser()
	}
	every := o.FlushEvery
	if every <= 0 {
		every = 256
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	flush := func() error {
		if err := bw.Flush(); err != nil {
			return err
		}
		if o.Flush != nil {
			o.Flush()
		}
		return nil
	}
	var st Stats
	var line []byte
	err := src.Events(ctx, o.From.Sequence, o.To.Sequence, func(env events.Envelope) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := axis.TimeOf(&env)
		if !o.From.At.IsZero() && t.Before(o.From.At) {
			return nil
		}
		if !o.To.At.IsZero() && t.After(o.To.At) {
			if axis == events.Recorded {
				return errStop
			}
			return nil
		}
		if o.Personal && o.Open != nil {
			p, err := privacy.DisclosePersonal(env.Payload, o.Open)
			if err != nil {
				return fmt.Errorf("opening the personal data of sequence %d: %w", env.Sequence, err)
			}
			env.Payload = p
		}
		line = AppendLine(line[:0], &env, o.Personal, ps)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
		if st.Events == 0 {
			st.First = env.Sequence
		}
		st.Events++
		st.Last = env.Sequence
		if st.Events%uint64(every) == 0 {
			return flush()
		}
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if err != nil {
		_ = bw.Flush()
		return st, err
	}
	return st, flush()
}

// Attribute names beyond those of the stream's own format.
const (
	// AttrSequence is the event's stream sequence (an extension).
	AttrSequence = "sequence"
	// AttrRedacted says what pseudonymisation took out: "personal" (the
	// payload's personal members and the actor's identity, so that hash
	// no longer covers the data shown). Absent in a disclosed export.
	AttrRedacted = "redacted"
)

// AppendLine appends the CloudEvents JSON form of env (without newline):
// the attributes of the stream's structured mode plus "sequence", with
// "effectivetime" always present. Pseudonymised (personal false): the
// payload's personal members are removed (privacy.StripPersonal), the
// actor's user ID becomes a pseudonym, the idempotency key (a client's
// free choice), the reason (free text) and the signature (which no longer
// covers what is shown) are left out, and "redacted":"personal" says so.
func AppendLine(b []byte, env *events.Envelope, personal bool, ps *privacy.Pseudonymiser) []byte {
	str := func(name, v string) {
		b = append(b, ',', '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = appendString(b, v)
	}
	opt := func(name, v string) {
		if v != "" {
			str(name, v)
		}
	}
	b = append(b, `{"specversion":"1.0"`...)
	str("id", env.ID)
	str("source", "/"+events.SubjectPrefix+"/"+env.Ref.Org)
	str("type", env.Type)
	str("subject", env.Ref.Kind+"/"+env.Ref.ID)
	str("time", events.FormatTime(env.RecordedAt))
	b = append(b, `,"datacontenttype":"application/json","schemaversion":`...)
	b = strconv.AppendInt(b, int64(max(env.SchemaVersion, 1)), 10)
	str("aggregate", env.Ref.Subject())
	b = append(b, `,"aggregateversion":`...)
	b = strconv.AppendUint(b, env.Version, 10)
	b = append(b, `,"sequence":`...)
	b = strconv.AppendUint(b, env.Sequence, 10)
	occurred := env.OccurredAt
	if occurred.IsZero() {
		occurred = env.RecordedAt
	}
	str("effectivetime", events.FormatTime(occurred))
	payload := env.Payload
	if personal {
		opt("actoruser", env.Actor.UserID)
	} else {
		opt("actoruser", ps.User(env.Actor.UserID))
		payload, _ = privacy.StripPersonal(payload)
	}
	opt("actorrole", env.Actor.Role)
	opt("actororg", env.Actor.Org)
	opt("correlationid", env.CorrelationID)
	opt("causationid", env.CausationID)
	if personal {
		opt("idempotencykey", env.IdempotencyKey)
		opt("reason", env.Reason)
	}
	opt("prevhash", env.PrevHash)
	opt("hash", env.Hash)
	if personal {
		opt("keyid", env.KeyID)
		opt("signature", env.Signature)
	} else {
		str(AttrRedacted, "personal")
	}
	b = append(b, `,"data":`...)
	if len(payload) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, payload...)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
