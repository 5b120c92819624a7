package api

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// Headers of the API besides the standard ones.
const (
	// HeaderIdempotencyKey makes a command safe to retry.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderSequence is the stream sequence an answer reflects (after a
	// command: of its last event).
	HeaderSequence = "Grants-Sequence"
	// HeaderMinSequence asks a query to wait until the read models include
	// this stream sequence (read-your-writes).
	HeaderMinSequence = "Grants-Min-Sequence"
	// HeaderReason is the "why" of a command, kept in the audit history
	// (percent-encoded UTF-8 is decoded).
	HeaderReason = "Grants-Reason"
	// HeaderEffectiveAt records a command as of a past date (national
	// office only): RFC 3339 or YYYY-MM-DD.
	HeaderEffectiveAt = "Grants-Effective-At"
	// HeaderReplayed is "true" on the repeated answer of an idempotent retry.
	HeaderReplayed = "Idempotent-Replayed"
)

const maxIdempotencyKeyLen = 200

// etag renders an aggregate version as a strong ETag.
func etag(version uint64) string { return `"` + strconv.FormatUint(version, 10) + `"` }

// ifMatch parses If-Match: "5" or 5; "*" or absent is nil. If-Match
// compares strongly (RFC 9110 section 13.1.1): a weak tag W/"5" never
// matches, so it is 412.
func ifMatch(c echo.Context) (*uint64, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return nil, nil
	}
	if strings.HasPrefix(h, "W/") {
		return nil, &apperr.Error{Code: apperr.PreconditionFailed, Field: "If-Match",
			Message: fmt.Sprintf("If-Match compares strongly: the weak tag %q never matches; send the ETag as given, e.g. \"3\"", h)}
	}
	v := strings.Trim(h, `"`)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return nil, apperr.InvalidField("If-Match", "If-Match must be the aggregate version given as ETag (e.g. \"3\"), not %q", h)
	}
	return &n, nil
}

// reasonOf returns the command's reason from the header or ?reason=.
func reasonOf(c echo.Context) (string, error) {
	r := c.Request().Header.Get(HeaderReason)
	if r != "" {
		if d, err := url.PathUnescape(r); err == nil {
			r = d
		}
	} else {
		r = c.QueryParam("reason")
	}
	// Clean text like any field of a body (INPUT-TEXT, INPUT-TEXT-LENGTH):
	// the reason is kept in the audit history and shown to the office.
	if err := aggregates.CheckText(HeaderReason, r, true); err != nil {
		return "", err
	}
	return strings.TrimSpace(r), nil
}

// effectiveAt returns the past effective time of a command, zero for now.
func effectiveAt(c echo.Context) (time.Time, error) {
	v := strings.TrimSpace(c.Request().Header.Get(HeaderEffectiveAt))
	if v == "" {
		v = c.QueryParam("effective_at")
	}
	if v == "" {
		return time.Time{}, nil
	}
	return parseInstant(HeaderEffectiveAt, v)
}

// parseInstant parses RFC 3339 or a date (UTC midnight) between 1900 and
// 2100 (INPUT-DATE-RANGE).
func parseInstant(field, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), aggregates.CheckDate(field, aggregates.DateOf(t))
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, aggregates.CheckDate(field, aggregates.DateOf(t))
	}
	return time.Time{}, apperr.InvalidField(field, "%q is neither an RFC 3339 time (2024-05-31T12:00:00Z) nor a date (2024-05-31)", v)
}

// idempotencyKey returns the Idempotency-Key header, checked.
func idempotencyKey(c echo.Context) (string, error) {
	k := c.Request().Header.Get(HeaderIdempotencyKey)
	if len(k) > maxIdempotencyKeyLen {
		return "", apperr.InvalidField(HeaderIdempotencyKey, "the idempotency key has %d characters; at most %d are allowed", len(k), maxIdempotencyKeyLen)
	}
	for _, r := range k {
		if r < 0x21 || r > 0x7e {
			return "", apperr.InvalidField(HeaderIdempotencyKey, "the idempotency key must be printable ASCII without spaces")
		}
	}
	return k, nil
}

// minSequence returns the sequence a query must wait for (0: none).
func minSequence(c echo.Context) (uint64, error) {
	v := c.Request().Header.Get(HeaderMinSequence)
	field := HeaderMinSequence
	if v == "" && c.QueryString() != "" {
		v, field = c.QueryParam("min_seq"), "min_seq"
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, apperr.InvalidField(field, "the minimum sequence must be a non-negative integer, not %q", v)
	}
	return n, nil
}

// consistent waits, up to MaxWait, until the read models include the
// sequence the caller asked for, and sets Grants-Sequence to the
// checkpoint the answer reflects. Every query of the read models passes
// here before its handler (checkParams), which may call it again: the
// second call finds the request marked and does nothing. A wait is timed
// only when the read models are behind the sequence asked for.
func (s *Server) consistent(c echo.Context) error {
	if c.Get(ctxConsistent) != nil {
		return nil
	}
	seq, err := minSequence(c)
	if err != nil {
		return err
	}
	if seq > 0 && s.d.Reader.Checkpoint() < seq {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.d.MaxWait)
		defer cancel()
		if err := s.d.Reader.WaitFor(ctx, seq); err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				return apperr.Wrap(apperr.Unavailable, err, "the read models did not reach sequence %d within %s; retry shortly", seq, s.d.MaxWait)
			}
			return err
		}
	}
	c.Response().Header()[HeaderSequence] = s.seqHeader.of(s.d.Reader.Checkpoint())
	c.Set(ctxConsistent, true)
	return nil
}

// seqHeader keeps the Grants-Sequence value of the last checkpoint
// answered, so that the reads between two commits share it instead of
// formatting it each.
type seqHeader struct {
	last atomic.Pointer[seqValue]
}

// seqValue is a checkpoint and its header value (never written to).
type seqValue struct {
	seq uint64
	v   []string
}

// of returns the header value of checkpoint seq.
func (h *seqHeader) of(seq uint64) []string {
	if l := h.last.Load(); l != nil && l.seq == seq {
		return l.v
	}
	l := &seqValue{seq: seq, v: []string{strconv.FormatUint(seq, 10)}}
	h.last.Store(l)
	return l.v
}
