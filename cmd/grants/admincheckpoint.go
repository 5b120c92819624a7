package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/jetstream"
)

// adminCheckpointSubject is where a running grants serve takes requests
// for a checkpoint on demand (grants checkpoint create|export): the
// service identity a CLI connects with may not publish into the stream,
// so the serve that holds the signing key and the right to write does it.
const adminCheckpointSubject = "grants-admin.checkpoint"

// checkpointRequest asks a running serve for a checkpoint; the heads of
// an export (one per aggregate: more than one NATS message holds on a
// large ledger) go to Inbox in chunks, before the reply.
type checkpointRequest struct {
	Inbox string `json:"inbox"`
}

// checkpointChunk is one message on the request's inbox: some heads, or,
// last, the checkpoint itself (without its heads) or the failure.
type checkpointChunk struct {
	Heads      []events.ChainHead `json:"heads,omitempty"`
	Done       bool               `json:"done,omitempty"`
	Checkpoint *events.Checkpoint `json:"checkpoint,omitempty"`
	// Valid is false when the stream has unresolved problems, which the
	// checkpoint leaves out (its Refused sequences).
	Valid bool          `json:"valid,omitempty"`
	Error *adminFailure `json:"error,omitempty"`
}

// headsPerChunk keeps a chunk well under NATS's 1 MiB message limit.
const headsPerChunk = 2000

// validInbox: the heads go only to a reply inbox (no stream subject, no
// API subject, no wildcard), whatever a caller names.
func validInbox(s string) bool {
	if !strings.HasPrefix(s, "_INBOX.") && !strings.HasPrefix(s, jetstream.ServiceInboxPrefix+".") {
		return false
	}
	for _, r := range s {
		if !(r == '.' || r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return !strings.Contains(s, "..") && !strings.HasSuffix(s, ".")
}

// serveCheckpointAdmin answers checkpoint requests: it verifies the
// stream and writes a signed checkpoint into it, as the periodic guard
// does, then sends its heads and itself to the requester's inbox. Several
// grants serve instances share the requests (one queue).
func serveCheckpointAdmin(ctx context.Context, sys *system, log *slog.Logger) (func(), error) {
	sub, err := sys.nc.QueueSubscribe(adminCheckpointSubject, "grants-serve", func(m *nats.Msg) {
		if !adminRequest(m) {
			return
		}
		var req checkpointRequest
		if err := json.Unmarshal(m.Data, &req); err != nil || !validInbox(req.Inbox) {
			b, _ := json.Marshal(checkpointChunk{Done: true, Error: &adminFailure{Code: apperr.Invalid, Field: "inbox", Message: "a checkpoint request names the reply inbox its heads go to"}})
			_ = m.Respond(b)
			return
		}
		_ = m.Respond([]byte(`{}`)) // accepted: the rest goes to the inbox
		go func() {
			rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			defer cancel()
			send := func(c checkpointChunk) error {
				b, _ := json.Marshal(c)
				return sys.nc.Publish(req.Inbox, b)
			}
			cp, rep, err := writeCheckpoint(rctx, sys, time.Now(), false)
			if err != nil {
				log.Error("checkpoint requested: writing it failed", "err", err)
				_ = send(checkpointChunk{Done: true, Error: &adminFailure{Code: apperr.Unavailable, Message: "the running grants serve could not write the checkpoint; its log says why"}})
				return
			}
			logProblems(rep, log)
			log.Info("checkpoint written on request", "sequence", cp.Sequence, "chains", cp.Chains, "valid", rep.Valid)
			heads := cp.Heads
			cp.Heads = nil
			for len(heads) > 0 {
				n := min(headsPerChunk, len(heads))
				if err := send(checkpointChunk{Heads: heads[:n]}); err != nil {
					log.Warn("sending a checkpoint's heads", "err", err)
					return
				}
				heads = heads[n:]
			}
			_ = send(checkpointChunk{Done: true, Checkpoint: &cp, Valid: rep.Valid})
		}()
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

// errNoCheckpointServe says that no grants serve answers checkpoint
// requests.
var errNoCheckpointServe = errors.New("no grants serve answers checkpoint requests")

// askCheckpoint asks a running grants serve to write a checkpoint and
// returns it with its heads.
func askCheckpoint(ctx context.Context, nc *nats.Conn) (events.Checkpoint, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	inbox := nc.NewInbox()
	ch := make(chan *nats.Msg, 64)
	sub, err := nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return events.Checkpoint{}, false, err
	}
	defer sub.Unsubscribe()
	b, _ := json.Marshal(checkpointRequest{Inbox: inbox})
	m, err := nc.RequestWithContext(ctx, adminCheckpointSubject, b)
	if errors.Is(err, nats.ErrNoResponders) {
		return events.Checkpoint{}, false, errNoCheckpointServe
	}
	if err != nil {
		return events.Checkpoint{}, false, fmt.Errorf("asking the running grants serve for a checkpoint: %w", err)
	}
	var heads []events.ChainHead
	for {
		var c checkpointChunk
		if err := json.Unmarshal(m.Data, &c); err != nil {
			return events.Checkpoint{}, false, fmt.Errorf("unreadable answer of the running grants serve: %q", m.Data)
		}
		if e := c.Error; e != nil {
			return events.Checkpoint{}, false, &apperr.Error{Code: e.Code, Field: e.Field, Message: e.Message}
		}
		heads = append(heads, c.Heads...)
		if c.Done {
			if c.Checkpoint == nil {
				return events.Checkpoint{}, false, errors.New("the running grants serve answered without a checkpoint")
			}
			cp := *c.Checkpoint
			cp.Heads = heads
			if cp.Chains != len(heads) || events.HeadsDigest(heads) != cp.Digest {
				return events.Checkpoint{}, false, fmt.Errorf("the running grants serve sent %d heads for a checkpoint over %d chains, or heads that do not match its digest", len(heads), cp.Chains)
			}
			return cp, c.Valid, nil
		}
		select {
		case <-ctx.Done():
			return events.Checkpoint{}, false, fmt.Errorf("waiting for the checkpoint of the running grants serve: %w", ctx.Err())
		case m = <-ch:
		}
	}
}
