package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/pii"
)

// adminOpenSubject is where a running grants serve opens the sealed
// personal blocks of a disclosure a grants command makes (replay --out
// --personal-data, export events --personal-data): the subject keys and
// their master key never leave serve (the service identity a command
// connects with is denied the key bucket), so serve opens the blocks
// and answers their clear JSON, only for a disclosure it recorded
// (PD-DISCLOSE-REASON), and never for an erased subject (PD-ERASE).
const adminOpenSubject = "grants-admin.open"

// disclosureTTL is how long after its PersonalDataDisclosed event a
// disclosure may have its blocks opened (a long replay included).
const disclosureTTL = 24 * time.Hour

// openRequest asks serve to open blocks for the disclosure recorded at
// DisclosureSequence.
type openRequest struct {
	DisclosureSequence uint64            `json:"disclosure_sequence"`
	Blocks             []json.RawMessage `json:"blocks"`
}

// openedBlock is one block's answer: its clear JSON, or erased.
type openedBlock struct {
	Personal json.RawMessage `json:"personal,omitempty"`
	Erased   bool            `json:"erased,omitempty"`
}

// openReply answers an openRequest, one item per block, in order.
type openReply struct {
	Items []openedBlock `json:"items,omitempty"`
	Error *adminFailure `json:"error,omitempty"`
}

// serveOpenAdmin opens blocks for the disclosures recorded (one queue
// over every serve instance).
func serveOpenAdmin(nc *nats.Conn, store events.Store, vault personal.Opener, clock func() time.Time, log *slog.Logger) (func(), error) {
	sub, err := nc.QueueSubscribe(adminOpenSubject, "grants-serve", func(m *nats.Msg) {
		if !adminRequest(m) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rep := answerOpen(ctx, store, vault, clock(), m.Data, log)
		b, _ := json.Marshal(rep)
		for i := range rep.Items {
			clear(rep.Items[i].Personal)
		}
		_ = m.Respond(b)
		clear(b)
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

func answerOpen(ctx context.Context, store events.Store, vault personal.Opener, now time.Time, data []byte, log *slog.Logger) openReply {
	fail := func(code apperr.Code, format string, args ...any) openReply {
		return openReply{Error: &adminFailure{Code: code, Message: fmt.Sprintf(format, args...)}}
	}
	var req openRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return fail(apperr.Invalid, "the request to open personal data is not valid JSON")
	}
	if err := checkDisclosure(ctx, store, req.DisclosureSequence, now); err != nil {
		log.Warn("personal data not opened: no recorded disclosure", "disclosure_sequence", req.DisclosureSequence, "err", err)
		return fail(apperr.Forbidden, "PD-DISCLOSE-REASON: %v", err)
	}
	open := personal.DiscloseFunc(ctx, vault)
	out := openReply{Items: make([]openedBlock, len(req.Blocks))}
	erased := 0
	for i, b := range req.Blocks {
		plain, gone, err := open(b)
		if err != nil {
			log.Error("opening personal data for a disclosure failed", "disclosure_sequence", req.DisclosureSequence, "err", err)
			return fail(apperr.Unavailable, "a sealed block could not be opened; try again")
		}
		if gone {
			erased++
		}
		out.Items[i] = openedBlock{Personal: plain, Erased: gone}
	}
	// The log counts, it never names.
	log.Info("personal data opened for a disclosure", "disclosure_sequence", req.DisclosureSequence, "blocks", len(req.Blocks), "erased", erased)
	return out
}

// checkDisclosure accepts only a PersonalDataDisclosed event of a grants
// command (channel cli: a replay file or an event export) recorded in the
// last disclosureTTL.
func checkDisclosure(ctx context.Context, store events.Store, seq uint64, now time.Time) error {
	if seq == 0 {
		return errors.New("no disclosure named")
	}
	var env *events.Envelope
	err := store.Events(ctx, seq, seq, func(e events.Envelope) error {
		env = &e
		return nil
	})
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	if env == nil || env.Sequence != seq || env.Type != (aggregates.PersonalDataDisclosed{}).EventType() {
		return fmt.Errorf("sequence %d records no disclosure of personal data", seq)
	}
	var d aggregates.Disclosure
	if err := json.Unmarshal(env.Payload, &d); err != nil {
		return err
	}
	if d.Channel != "cli" || d.Scope != aggregates.ScopeReplayFile && d.Scope != aggregates.ScopeEventExport {
		return fmt.Errorf("the disclosure at sequence %d is not a grants command's (%s, %s)", seq, d.Channel, d.Scope)
	}
	if now.Sub(env.RecordedAt) > disclosureTTL {
		return fmt.Errorf("the disclosure at sequence %d is older than %s; record a new one", seq, disclosureTTL)
	}
	return nil
}

// remoteOpener is the Opener of a grants command: it asks the running
// serve to open each block for the disclosure it recorded. It is a
// pii.Vault that only opens.
type remoteOpener struct {
	nc  *nats.Conn
	seq uint64
}

var _ pii.Vault = remoteOpener{}

// Open implements personal.Opener.
func (r remoteOpener) Open(ctx context.Context, b pii.Sealed) ([]byte, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	req, _ := json.Marshal(openRequest{DisclosureSequence: r.seq, Blocks: []json.RawMessage{raw}})
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	m, err := r.nc.RequestWithContext(ctx, adminOpenSubject, req)
	if errors.Is(err, nats.ErrNoResponders) {
		return nil, errNoDiscloseServe
	}
	if err != nil {
		return nil, fmt.Errorf("asking the running grants serve to open personal data: %w", err)
	}
	var rep openReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return nil, fmt.Errorf("unreadable answer of the running grants serve")
	}
	clear(m.Data)
	if rep.Error != nil {
		return nil, fmt.Errorf("the running grants serve opened no personal data: %s", rep.Error.Message)
	}
	if len(rep.Items) != 1 {
		return nil, fmt.Errorf("the running grants serve answered %d blocks for 1", len(rep.Items))
	}
	if rep.Items[0].Erased {
		return nil, pii.ErrErased
	}
	return rep.Items[0].Personal, nil
}

// Seal implements pii.Vault: a grants command never seals.
func (remoteOpener) Seal(context.Context, pii.Subject, []byte) (pii.Sealed, error) {
	return pii.Sealed{}, errors.New("a grants command does not seal personal data")
}

// Destroy implements pii.Vault: a grants command never erases.
func (remoteOpener) Destroy(context.Context, pii.Subject) error {
	return errors.New("a grants command does not erase personal data")
}
