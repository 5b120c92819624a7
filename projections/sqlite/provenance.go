package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// ProblemRefused is the quarantine kind of an event a signed checkpoint
// lists as refused when the service wrote it.
const ProblemRefused = "refused"

// guard decides, in the reading goroutine and in stream order, which
// events the projector may apply (see events.ChainState). Events up to
// the newest signed checkpoint are authenticated by recomputing their
// chains, compared with the checkpoint's heads when the reader passes it;
// later events by their signatures. Without a checkpoint in the stream
// (a ledger written before events were signed) the events already there
// at the start count as legacy.
type guard struct {
	ring   *events.KeyRing
	cp     *events.Checkpoint
	legacy uint64
	chains map[events.Ref]*events.ChainState
	log    *slog.Logger
	// own, if set, recognises the events this process signed (see
	// ProjectorConfig.OwnSignatures).
	own interface {
		SignedHere(e *events.Envelope) bool
	}
	// compared: the heads were compared with cp.
	compared bool
	// mismatch is the problem found when they differed.
	mismatch *events.Problem
}

// newGuard returns the guard of a projector at checkpoint from, with the
// heads the read models hold.
func newGuard(ctx context.Context, db *DB, src projections.Source, ring *events.KeyRing, log *slog.Logger) (*guard, error) {
	g := &guard{ring: ring, chains: map[events.Ref]*events.ChainState{}, log: log}
	heads, err := db.chainHeads()
	if err != nil {
		return nil, err
	}
	for _, h := range heads {
		ref, ok := refOfSubject(h.Subject)
		if !ok {
			return nil, fmt.Errorf("chain_heads: %q is not an aggregate's subject", h.Subject)
		}
		g.chains[ref] = &events.ChainState{Head: events.Head{Version: h.Version, Sequence: h.Sequence, Hash: h.Hash}}
	}
	cpr, ok := src.(events.Checkpointer)
	if !ok {
		return g, nil
	}
	last, any, err := cpr.LatestCheckpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the checkpoints: %w", err)
	}
	if any {
		if g.cp, err = events.TrustedCheckpoint(ctx, cpr, ring); err != nil {
			return nil, fmt.Errorf("reading the checkpoints: %w", err)
		}
		if g.cp == nil {
			log.Error("no checkpoint in the stream is signed by a known key; checking every signature", "newest_at", last.At)
		} else {
			g.legacy = g.cp.Sequence
		}
	} else if g.legacy, err = src.LastSequence(ctx); err != nil {
		// No checkpoint at all: a ledger written before events were
		// signed, whose events so far count as legacy.
		return nil, err
	}
	g.compared = g.cp == nil || db.Checkpoint() >= g.cp.Sequence
	return g, nil
}

// check returns the problem that keeps env out of the read models, or
// nil. It compares the heads with the checkpoint once the reader passes
// it.
func (g *guard) check(env *events.Envelope) *events.Problem {
	if !g.compared && env.Sequence > g.cp.Sequence {
		g.compare()
	}
	c := g.chains[env.Ref]
	if c == nil {
		c = &events.ChainState{}
		g.chains[env.Ref.Clone()] = c
	}
	if env.Damage != "" {
		return &events.Problem{Sequence: env.Sequence, Ref: env.Ref, Type: env.Type, Version: env.Version, Kind: events.ProblemUnreadable, Reason: env.Damage}
	}
	if g.cp.Refuses(env.Sequence) {
		return &events.Problem{Sequence: env.Sequence, Ref: env.Ref, Type: env.Type, Version: env.Version, Kind: ProblemRefused,
			Reason: "the service refused it when it was written (a signed checkpoint lists it)"}
	}
	trust := events.TrustSignature
	if g.cp.Covers(env.Sequence) {
		trust = events.TrustCheckpoint
	} else if t, ok := events.OwnTrust(g.own, env); ok {
		trust = t
	}
	return c.Check(env, g.ring, trust, env.Sequence <= g.legacy)
}

// finish compares the heads with the checkpoint if the reader reached it.
func (g *guard) finish(last uint64) {
	if !g.compared && last >= g.cp.Sequence {
		g.compare()
	}
}

func (g *guard) compare() {
	g.compared = true
	heads := make([]events.ChainHead, 0, len(g.chains))
	for ref, c := range g.chains {
		if c.Head.Version > 0 {
			heads = append(heads, events.ChainHead{Subject: ref.Subject(), Version: c.Head.Version, Sequence: c.Head.Sequence, Hash: c.Head.Hash})
		}
	}
	if events.HeadsDigest(heads) != g.cp.Digest {
		g.mismatch = &events.Problem{Sequence: g.cp.Sequence, Kind: events.ProblemCheckpoint,
			Reason: fmt.Sprintf("the events up to sequence %d do not match the signed checkpoint of that sequence; run grants verify to find the event at fault", g.cp.Sequence)}
		g.log.Error("the history does not match its signed checkpoint", "sequence", g.cp.Sequence)
	}
}

// refOfSubject parses grants.<org>.<kind>.<id>.
func refOfSubject(s string) (events.Ref, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != events.SubjectPrefix {
		return events.Ref{}, false
	}
	return events.Ref{Org: parts[1], Kind: parts[2], ID: parts[3]}, true
}

// chainHeads reads the heads the read models hold.
func (db *DB) chainHeads() ([]events.ChainHead, error) {
	if db.r == nil {
		// A rebuild's throwaway file (no reader pool) starts empty.
		return nil, nil
	}
	rows, err := db.r.QueryContext(context.Background(), "SELECT subject, version, sequence, hash FROM chain_heads")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []events.ChainHead
	for rows.Next() {
		var h events.ChainHead
		if err := rows.Scan(&h.Subject, &h.Version, &h.Sequence, &h.Hash); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// QuarantinedEvent is one event the projector refused.
type QuarantinedEvent = projections.QuarantinedEvent

// Quarantine lists the events the projector refused, oldest first.
func (db *DB) Quarantine(ctx context.Context) ([]QuarantinedEvent, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT sequence, subject, org, aggregate_kind, aggregate_id, type, version, kind, reason, recorded_at, COALESCE(resolved_by, 0) FROM quarantine ORDER BY sequence")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []QuarantinedEvent{}
	for rows.Next() {
		var q QuarantinedEvent
		if err := rows.Scan(&q.Sequence, &q.Subject, &q.Aggregate.Org, &q.Aggregate.Kind, &q.Aggregate.ID, &q.Type, &q.Version, &q.Kind, &q.Reason, &q.RecordedAt, &q.ResolvedBy); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// quarantine records env as refused for p.
func (a *applier) quarantine(env *events.Envelope, p *events.Problem) error {
	return a.w.execArgs("INSERT OR REPLACE INTO quarantine (sequence, subject, org, aggregate_kind, aggregate_id, type, version, kind, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		int64(env.Sequence), env.Ref.Subject(), env.Ref.Org, env.Ref.Kind, env.Ref.ID, env.Type, int64(env.Version), p.Kind, p.Reason, events.FormatTime(env.RecordedAt))
}

// writeHeads writes the heads of the aggregates the batch moved.
func (a *applier) writeHeads(heads map[string]events.Head) error {
	for s, h := range heads {
		if err := a.w.execArgs("INSERT OR REPLACE INTO chain_heads (subject, version, sequence, hash) VALUES (?, ?, ?, ?)", s, int64(h.Version), int64(h.Sequence), h.Hash); err != nil {
			return err
		}
	}
	clear(heads)
	return nil
}

// resolutionHandler projects events.DamageResolvedType: the quarantined
// event it names is marked dealt with.
func resolutionHandler() *handler {
	return &handler{
		name: events.DamageResolvedType,
		decode: func(b []byte) (any, error) {
			v := new(events.DamageResolved)
			return v, json.Unmarshal(b, v)
		},
		apply: func(a *applier, env *events.Envelope, v any) error {
			return a.w.execArgs("UPDATE quarantine SET resolved_by = ? WHERE sequence = ?", int64(env.Sequence), int64(v.(*events.DamageResolved).Sequence))
		},
		summary: func(dst []byte, _ *events.Envelope, v any) []byte {
			d := v.(*events.DamageResolved)
			return fmt.Appendf(dst, "the national office dealt with sequence %d (%s)", d.Sequence, d.Resolution)
		},
	}
}

// Quarantine lists the events the projector of the current generation
// refused, oldest first.
func (m *Manager) Quarantine(ctx context.Context) ([]QuarantinedEvent, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.Quarantine(ctx)
}
