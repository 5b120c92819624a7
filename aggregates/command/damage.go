package command

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// RuleDamaged is the rule ID of a write refused because its aggregate
// holds an event that failed its checks (or follows a lost one) and the
// national office has not dealt with it yet.
const RuleDamaged = "LEDGER-DAMAGED"

// admit checks env against its aggregate's chain (see events.ChainState).
// An event that fails is not evolved: the aggregate's head keeps its last
// valid event's version and hash, with the stream sequence of the refused
// event (the store's concurrency check counts every message of the
// subject), so that the next write continues the chain from the last
// valid event.
func (h *Handler) admit(e *entry, k string, env *events.Envelope, cp *events.Checkpoint) bool {
	c := e.chain(k)
	var p *events.Problem
	if cp.Refuses(env.Sequence) {
		p = &events.Problem{Sequence: env.Sequence, Ref: env.Ref, Type: env.Type, Version: env.Version, Kind: events.ProblemSignature,
			Reason: "the service refused it when it was written (a signed checkpoint lists it)"}
		c.Open = append(c.Open, *p)
	} else {
		trust := events.TrustSignature
		if cp.Covers(env.Sequence) {
			trust = events.TrustCheckpoint
		} else if t, ok := events.OwnTrust(h.cfg.OwnSignatures, env); ok {
			trust = t
		}
		// With no checkpoint at all, nothing is legacy: a ledger is
		// checkpointed when grants serve starts.
		// Check keeps a copy of the hash: the event's may share the stored
		// message's memory.
		p = c.Check(env, h.cfg.KeyRing, trust, cp.Covers(env.Sequence))
	}
	if p == nil {
		return true
	}
	h.log.Error("an event failed its checks; its aggregate refuses writes until the national office resolves it",
		"sequence", p.Sequence, "aggregate", env.Ref.String(), "type", env.Type, "kind", p.Kind, "reason", p.Reason)
	e.putHead(k, events.Head{Version: c.Head.Version, Hash: c.Head.Hash, Sequence: env.Sequence})
	return false
}

// refuseDamaged refuses a command on an aggregate with an open problem,
// naming the sequence; ResolveDamage alone goes through.
func (h *Handler) refuseDamaged(e *entry, ref events.Ref, cmd aggregates.Command) error {
	if _, ok := cmd.(resolveCommand); ok || h.cfg.KeyRing == nil {
		return nil
	}
	c := e.chains[headKey(ref.Kind, ref.ID)]
	if c == nil {
		return nil
	}
	p, damaged := c.Damaged()
	if !damaged {
		return nil
	}
	return apperr.Rule(RuleDamaged, "%s %s is damaged: the event at sequence %d (%s, version %d) %s; it accepts no write until the national office resolves sequence %d (POST /v1/audit/damage-resolutions)",
		ref.Kind, ref.ID, p.Sequence, p.Type, p.Version, p.Reason, p.Sequence)
}

// decide returns the drafts of cmd: the domain's decision, or the
// resolution event of a resolveCommand.
func (h *Handler) decide(ctx context.Context, dctx aggregates.Context, e *entry, ref events.Ref, cmd aggregates.Command) ([]events.Draft, error) {
	if rc, ok := cmd.(resolveCommand); ok {
		if dctx.Actor.Role != aggregates.RoleNationalOffice {
			return nil, apperr.New(apperr.Forbidden, "only the national office may resolve a damaged aggregate")
		}
		d, err := h.resolution(ctx, e, ref, rc)
		if err != nil {
			return nil, err
		}
		return []events.Draft{{Payload: d, OccurredAt: dctx.Now}}, nil
	}
	dom, err := h.domainFor(ctx, cmd, ref.Org)
	if err != nil {
		return nil, err
	}
	decided, err := dom.Decide(dctx, e.portfolio, cmd)
	if ids, ok := aggregates.FactsNeeded(err); ok {
		// The cache's compact state does not keep single mobilities: the
		// projects the command reads are folded in full, once.
		var p aggregates.Portfolio
		if p, err = h.withRecords(ctx, e, ids); err != nil {
			return nil, err
		}
		decided, err = dom.Decide(dctx, p, cmd)
	}
	if err != nil {
		return nil, asApp(err)
	}
	drafts := make([]events.Draft, len(decided))
	for i, ev := range decided {
		drafts[i] = events.Draft{Payload: ev, OccurredAt: dctx.Now}
	}
	return drafts, nil
}

// Resolutions of ResolveDamage.
const (
	// ResolutionDismissed: the event is not part of the ledger.
	ResolutionDismissed = "dismissed"
	// ResolutionLost: the record was lost; what it held is recorded anew
	// if it is known.
	ResolutionLost = "lost"
)

// ResolveDamage is the national office's command that deals with a
// damaged aggregate: it records an events.DamageResolved event on the
// aggregate naming the sequence (an event of the aggregate that failed
// its checks, or a sequence the stream lost), after which verification
// reports that problem as resolved and the aggregate accepts writes again,
// its chain continuing from its last valid event.
type ResolveDamage struct {
	Kind       string `json:"aggregate_kind"`
	ID         string `json:"aggregate_id"`
	Sequence   uint64 `json:"sequence"`
	Resolution string `json:"resolution"`
	// Reason says why (kept in the audit history and the event); it may
	// come in the Grants-Reason header instead, but one of the two is
	// required.
	Reason string `json:"reason,omitempty"`
}

// resolveCommand marks ResolveDamage for the handler.
type resolveCommand interface{ resolve() ResolveDamage }

func (r ResolveDamage) resolve() ResolveDamage { return r }

// CommandType implements aggregates.Command.
func (r ResolveDamage) CommandType() string { return "ResolveDamage" }

// Target implements aggregates.Command.
func (r ResolveDamage) Target() events.Ref { return events.Ref{Kind: r.Kind, ID: r.ID} }

// OrgWide implements aggregates.Command.
func (r ResolveDamage) OrgWide() bool { return false }

// Validate checks the command's fields.
func (r ResolveDamage) Validate() error {
	switch {
	case r.Kind != aggregates.KindOrganisation && r.Kind != aggregates.KindProject:
		return apperr.InvalidField("aggregate_kind", "aggregate_kind must be %q or %q", aggregates.KindOrganisation, aggregates.KindProject)
	case !events.ValidToken(r.ID):
		return apperr.InvalidField("aggregate_id", "aggregate_id must be 1 to %d characters of A-Z, a-z, 0-9, '-' and '_'", events.MaxTokenLen)
	case r.Sequence == 0:
		return apperr.InvalidField("sequence", "sequence must name the stream sequence dealt with")
	case r.Resolution != ResolutionDismissed && r.Resolution != ResolutionLost:
		return apperr.InvalidField("resolution", "resolution must be %q or %q", ResolutionDismissed, ResolutionLost)
	case len(r.Reason) > 2000:
		return apperr.InvalidField("reason", "the reason is %d bytes long; at most 2000 are allowed", len(r.Reason))
	}
	return nil
}

// resolution checks a ResolveDamage against the aggregate: the sequence
// is one of its open problems, or one the stream lost.
func (h *Handler) resolution(ctx context.Context, e *entry, ref events.Ref, rc resolveCommand) (events.DamageResolved, error) {
	r := rc.resolve()
	d := events.DamageResolved{Sequence: r.Sequence, Resolution: r.Resolution, Note: r.Reason}
	if c := e.chains[headKey(ref.Kind, ref.ID)]; c != nil {
		for _, p := range c.Open {
			if p.Sequence == r.Sequence {
				return d, nil
			}
		}
	}
	lost, err := h.lost(ctx, r.Sequence)
	if err != nil {
		return d, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
	}
	if lost {
		return d, nil
	}
	return d, apperr.RuleField(RuleDamaged, "sequence", "sequence %d is neither an open problem of %s %s nor a sequence the stream lost: nothing to resolve", r.Sequence, ref.Kind, ref.ID)
}

// lost tells whether the stream holds no record at seq, below its last
// sequence: neither an event nor a checkpoint (a record the server lost).
func (h *Handler) lost(ctx context.Context, seq uint64) (bool, error) {
	last, err := h.store.LastSequence(ctx)
	if err != nil || seq > last {
		return false, err
	}
	found := false
	if err := h.store.Events(ctx, seq, seq, func(events.Envelope) error { found = true; return nil }); err != nil || found {
		return false, err
	}
	cpr, ok := h.store.(events.Checkpointer)
	if !ok {
		return true, nil
	}
	cps, err := cpr.Checkpoints(ctx)
	if err != nil {
		return false, err
	}
	return !slices.ContainsFunc(cps, func(c events.StoredCheckpoint) bool { return c.At == seq }), nil
}

// trustedCheckpoint caches the newest checkpoint signed by a known key.
type trustedCheckpoint struct {
	mu      sync.Mutex
	cp      *events.Checkpoint
	fetched time.Time
}

// checkpointTTL is how long the handler trusts its copy of the newest
// checkpoint before it looks for a newer one (a newer one only saves
// signature checks).
const checkpointTTL = 5 * time.Minute

// get returns the newest trusted checkpoint (nil when the store keeps none).
func (t *trustedCheckpoint) get(ctx context.Context, store events.Store, ring *events.KeyRing, now time.Time, log *slog.Logger) *events.Checkpoint {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.fetched.IsZero() && now.Sub(t.fetched) < checkpointTTL {
		return t.cp
	}
	cpr, ok := store.(events.Checkpointer)
	if !ok {
		return nil
	}
	cp, err := events.TrustedCheckpoint(ctx, cpr, ring)
	if err != nil {
		log.Warn("reading the checkpoints; checking every signature", "err", err)
		return t.cp
	}
	if cp != nil {
		// With none yet (a ledger being upgraded), look again next time.
		t.cp, t.fetched = cp, now
	}
	return t.cp
}
