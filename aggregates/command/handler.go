package command

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// Request is one command with everything said about it.
type Request struct {
	// Command is the domain command.
	Command aggregates.Command
	// Actor is the authenticated caller.
	Actor events.Actor
	// IdempotencyKey makes a retry return the first answer; scoped to the actor.
	IdempotencyKey string
	// CorrelationID ties the events to the request that caused them.
	CorrelationID string
	// CausationID is the ID of what caused the command, if any.
	CausationID string
	// Reason is the free-text "why" kept in the audit history.
	Reason string
	// EffectiveAt, when set, is the date the command really happened: the
	// national office records the past. Zero means now.
	EffectiveAt time.Time
	// IfMatch, when set, is the aggregate version the caller expects.
	IfMatch *uint64
}

// Result is what a command produced.
type Result struct {
	// Ref is the aggregate the command changed.
	Ref events.Ref
	// Version is the aggregate's version after the command.
	Version uint64
	// Sequence is the stream sequence of the last event written, for
	// read-your-writes.
	Sequence uint64
	// Events are the stored events. Unless Replayed, they are the
	// envelopes events.Build made for this command (payloads as
	// json.Marshal writes them), not read back from the store.
	Events []events.Envelope
	// Replayed is true when the command had already been applied under the
	// same idempotency key: nothing was written this time.
	Replayed bool
}

// Config tunes a Handler.
type Config struct {
	// MaxRetries bounds the reload-and-retry loop on a conflict (default 5).
	MaxRetries int
	// CacheOrganisations bounds the number of organisations whose state is
	// kept in memory (default 10 000).
	CacheOrganisations int
	// CacheBytes bounds the approximate memory of the organisations' state
	// kept (default 64 MiB, at least 1 MiB): least recently used first
	// out. Sizes are counted as events are folded (about an event's JSON,
	// beside fixed overheads), not measured.
	CacheBytes int64
	// Logger receives warnings; nil means slog.Default().
	Logger *slog.Logger
	// KeyRing, if set, makes the handler decide only on events that pass
	// their checks (see events.ChainState): an event that fails them is
	// never evolved, and its aggregate refuses writes (LEDGER-DAMAGED)
	// until the national office resolves it (ResolveDamage). Without it
	// every event counts.
	KeyRing *events.KeyRing
	// Sealer, if set, seals personal data after Decide (seal.go).
	Sealer Sealer
	// OwnSignatures, if set with KeyRing, recognises the events this
	// process has just signed (events.RecentSigner, the store's signer):
	// folding its own appends, the handler checks their hashes and chains
	// but does not verify again a signature it made a moment ago.
	OwnSignatures interface {
		SignedHere(e *events.Envelope) bool
	}
}

// DefaultCacheBytes is Config.CacheBytes's default. A compact project
// keeps about 40 bytes of heap a mobility (the hash of its ID; the
// figures a report is decided on do not grow with the mobilities), and
// about as much for a command's idempotency key (the span index), so
// 64 MiB holds the decided state of about a million mobilities beside the
// organisations' heads and idempotency keys, inside grants serve's 400 MB
// of resident memory (issue 16). A project evicted is folded again from
// the stream when next used.
const DefaultCacheBytes = 64 << 20

// Handler executes commands. It is safe for concurrent use.
type Handler struct {
	store   events.Store
	domain  *aggregates.Domain
	reg     *events.Registry
	clock   events.Clock
	cfg     Config
	log     *slog.Logger
	cache   *lru
	locks   orgLocks
	located sync.Map // kind/id -> org
	trusted trustedCheckpoint
	refs    refView // the national office's reference data
}

// New returns a Handler.
func New(store events.Store, domain *aggregates.Domain, reg *events.Registry, clock events.Clock, cfg Config) *Handler {
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 5
	}
	if cfg.CacheOrganisations <= 0 {
		cfg.CacheOrganisations = 10000
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Handler{store: store, domain: domain, reg: reg, clock: clock, cfg: cfg, log: log, cache: newLRU(cfg.CacheOrganisations, cfg.CacheBytes)}
}

// Handle decides and records one command.
func (h *Handler) Handle(ctx context.Context, req Request) (Result, error) {
	dctx, ref, now, err := h.prepare(ctx, req)
	if err != nil {
		return Result{}, err
	}

	scoped, fingerprint := "", ""
	if req.IdempotencyKey != "" {
		if len(req.IdempotencyKey) > 200 {
			return Result{}, apperr.InvalidField("Idempotency-Key", "the idempotency key is %d characters long; at most 200 are allowed", len(req.IdempotencyKey))
		}
		scoped = ScopeKey(req.Actor, req.IdempotencyKey)
		fingerprint, err = Fingerprint(req)
		if err != nil {
			return Result{}, err
		}
	}

	unlock := h.locks.lock(ref.Org)
	defer unlock()
	return h.decideAndAppend(ctx, req, dctx, ref, scoped, fingerprint, now)
}

// prepare checks what a command can be checked for before its
// aggregate is read (validation, the reason of a resolution, a past
// effective date) and resolves its target and reference data. Handle and
// DryRun share it, so a dry run refuses exactly what the command would.
func (h *Handler) prepare(ctx context.Context, req Request) (aggregates.Context, events.Ref, time.Time, error) {
	var none events.Ref
	if req.Command == nil {
		return aggregates.Context{}, none, time.Time{}, apperr.InvalidField("command", "no command given")
	}
	if v, ok := req.Command.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return aggregates.Context{}, none, time.Time{}, asApp(err)
		}
	}
	if _, ok := req.Command.(resolveCommand); ok && req.Reason == "" {
		return aggregates.Context{}, none, time.Time{}, apperr.InvalidField("Grants-Reason", "resolving a damaged aggregate needs a reason (the Grants-Reason header)")
	}
	now := h.clock.Now().UTC()
	dctx := aggregates.Context{Now: now, Actor: req.Actor}
	if !req.EffectiveAt.IsZero() {
		if req.Actor.Role != aggregates.RoleNationalOffice {
			return aggregates.Context{}, none, time.Time{}, &apperr.Error{Code: apperr.Forbidden, Field: "effective_at", Message: "only the national office may record a command with a past effective date"}
		}
		if req.EffectiveAt.After(now) {
			return aggregates.Context{}, none, time.Time{}, apperr.InvalidField("effective_at", "the effective date %s is in the future; it must be at or before now (%s)", events.FormatTime(req.EffectiveAt), events.FormatTime(now))
		}
		dctx.Now = req.EffectiveAt.UTC()
	}
	ref, err := h.target(ctx, req)
	if err != nil {
		return aggregates.Context{}, none, time.Time{}, err
	}
	if err := h.checkReferenced(ctx, req.Command); err != nil {
		return aggregates.Context{}, none, time.Time{}, err
	}
	return dctx, ref, now, nil
}

// target resolves the aggregate the command changes, with its organisation.
func (h *Handler) target(ctx context.Context, req Request) (events.Ref, error) {
	ref := req.Command.Target()
	if ref.Org == "" {
		org, err := h.Locate(ctx, ref.Kind, ref.ID)
		if err != nil {
			return events.Ref{}, err
		}
		ref.Org = org
	}
	if err := ref.Validate(); err != nil {
		return events.Ref{}, apperr.InvalidField("id", "%v", err)
	}
	// A beneficiary sees nothing of another organisation: its aggregates
	// do not exist for them (404, not 403, so nothing leaks).
	if req.Actor.Role == aggregates.RoleBeneficiary && req.Actor.Org != ref.Org && req.Command.Target().Org == "" {
		return events.Ref{}, apperr.New(apperr.NotFound, "%s %s not found", ref.Kind, ref.ID)
	}
	return ref, nil
}

// Locate returns the organisation that owns aggregate kind/id.
func (h *Handler) Locate(ctx context.Context, kind, id string) (string, error) {
	key := headKey(kind, id)
	if org, ok := h.located.Load(key); ok {
		return org.(string), nil
	}
	if !events.ValidToken(id) {
		return "", apperr.New(apperr.NotFound, "%s %s not found", kind, id)
	}
	org, err := h.store.Locate(ctx, kind, id)
	if errors.Is(err, events.ErrNotFound) {
		return "", apperr.New(apperr.NotFound, "%s %s not found", kind, id)
	}
	if err != nil {
		return "", apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
	}
	h.located.Store(key, org)
	return org, nil
}

// errIDTaken is the answer to a new aggregate whose ID another
// organisation holds (IDs are global: a project is found by its ID alone).
// It does not say which organisation holds it.
func errIDTaken(ref events.Ref, err error) error {
	return &apperr.Error{Code: apperr.Conflict, Field: ref.Kind + "_id", Err: err, Message: fmt.Sprintf("the %s ID %s is already taken; choose another", ref.Kind, ref.ID)}
}

// decideAndAppend runs the load-decide-append loop under the org's lock.
func (h *Handler) decideAndAppend(ctx context.Context, req Request, dctx aggregates.Context, ref events.Ref, scoped, fingerprint string, now time.Time) (Result, error) {
	orgWide := req.Command.OrgWide()
	e := h.cache.get(ref.Org)
	hk := headKey(ref.Kind, ref.ID) // once: a report looks its head up several times
	_, known := e.heads[hk]
	// An org-wide decision catches up on the whole organisation unless the
	// entry holds all of it already (whole: the append's expectation of
	// grants.<org>.> then finds any writer since); a single-aggregate
	// decision trusts a cached head. Both learn of other writers through
	// a conflict, which makes them catch up and decide again.
	needLoad := !orgWide && !known
	// reads: what an org-wide decision taken alone reads, loaded alone
	// on an entry that was never caught up on the organisation.
	reads, mayAlone := aggregates.AloneReads(req.Command, ref)
	// caughtUp: the entry was caught up on the organisation just before
	// the next decision (after a refusal).
	caughtUp := false
	for attempt := 0; ; attempt++ {
		// An org-wide decision is taken on a whole entry only (a
		// single-aggregate catch-up below may have left it partial),
		// unless it is decided alone (aggregates.DecidedAlone: it reads
		// its target and facts that never change, which an entry caught
		// up once on the organisation holds, and which catchUpAlone loads
		// into one that was not).
		alone := orgWide && e.loaded && aggregates.DecidedAlone(e.portfolio, req.Command)
		loadedAlone := false
		if orgWide && !e.loaded && mayAlone {
			loaded, err := h.catchUpAlone(ctx, e, ref, reads, needLoad)
			if err != nil {
				return Result{}, err
			}
			if alone = aggregates.DecidedAlone(e.portfolio, req.Command); alone {
				// A moved target (needLoad) was read with the others.
				loadedAlone, needLoad = loaded, false
			}
		}
		fresh := needLoad || loadedAlone || (orgWide && !alone && !e.whole())
		if fresh && !loadedAlone {
			if err := h.catchUp(ctx, e, ref, orgWide); err != nil {
				return Result{}, err
			}
			needLoad = false
			alone = orgWide && aggregates.DecidedAlone(e.portfolio, req.Command)
		}
		fresh, caughtUp = fresh || caughtUp, false
		if use, ok := e.keys[scoped]; ok && scoped != "" {
			// The key was written already (by a racing request, or before
			// a restart): only the same request gets its answer.
			if err := sameRequest(use, fingerprint); err != nil {
				return Result{}, err
			}
			res, err := h.replayKey(ctx, e, use.ref, scoped)
			if err == nil {
				return res, nil
			}
		} else if scoped != "" && e.mayHaveKey(scoped) {
			// Written before the keys the entry remembers: answered from
			// the key's own events, not decided again (a report's retry
			// would need the project's full facts to be refused).
			if res, ok, err := h.replayIndexed(ctx, e, scoped, fingerprint); err != nil || ok {
				return res, err
			}
		}
		head := e.heads[hk]
		if err := h.refuseDamaged(e, ref, req.Command); err != nil {
			return Result{}, err
		}
		if req.IfMatch != nil && *req.IfMatch != head.Version {
			if !fresh {
				// The cache may be behind another instance: check for real.
				if err := h.catchUp(ctx, e, ref, orgWide); err != nil {
					return Result{}, err
				}
				head = e.heads[hk]
			}
			if *req.IfMatch != head.Version {
				return Result{}, &apperr.Error{Code: apperr.PreconditionFailed, Version: head.Version, Message: fmt.Sprintf("If-Match expects version %d of %s %s, but it is at version %d", *req.IfMatch, ref.Kind, ref.ID, head.Version)}
			}
		}
		e.full = nil
		drafts, err := h.decide(ctx, dctx, e, ref, req.Command)
		if err == nil {
			drafts, err = h.seal(ctx, drafts)
		}
		if err != nil || len(drafts) == 0 {
			e.full = nil
		}
		if err != nil {
			if orgWide && !fresh {
				// Refused on a whole entry that did not catch up first:
				// another writer may have changed what the rule read. Catch
				// up on the organisation and, if it moved, decide again.
				before := e.maxSeq()
				if cerr := h.catchUp(ctx, e, ref, true); cerr != nil {
					return Result{}, cerr
				}
				fresh = true
				if e.maxSeq() != before && attempt+1 < h.cfg.MaxRetries {
					caughtUp = true
					continue
				}
			}
			if scoped != "" {
				// A retry of a command that went through (its key not in
				// this cache) may be refused on today's state: its events
				// tell. Only refusals pay this read.
				if res, ok, rerr := h.refusedRetry(ctx, e, ref, fresh, scoped, fingerprint); rerr != nil || ok {
					return res, rerr
				}
				if moved := e.heads[hk]; !fresh && moved.Sequence != head.Sequence && attempt+1 < h.cfg.MaxRetries {
					// Refused on a state the catch-up found behind (another
					// instance wrote): decide again on the current one.
					continue
				}
			}
			return Result{}, err
		}
		if len(drafts) == 0 {
			return Result{Ref: ref, Version: head.Version, Sequence: head.Sequence}, nil
		}
		// A decision taken alone expects its target's subject alone: a
		// constant-time check in the store, where grants.<org>.> is matched
		// against every subject of the organisation.
		areq := events.AppendRequest{
			Ref: ref, Expected: head, OrgWide: orgWide && !alone, OrgSequence: e.maxSeq(), Events: drafts,
			Meta: events.Meta{Actor: req.Actor, CorrelationID: req.CorrelationID, CausationID: req.CausationID, IdempotencyKey: eventKey(scoped, fingerprint), Reason: req.Reason, RecordedAt: now},
		}
		stored, err := h.store.Append(ctx, areq)
		var conflict *events.ConflictError
		if errors.As(err, &conflict) {
			if attempt+1 >= h.cfg.MaxRetries {
				return Result{}, &apperr.Error{Code: apperr.Conflict, Version: conflict.Actual, Err: err,
					Message: fmt.Sprintf("%s %s kept changing while the command was decided (%d attempts); it is at version %d: reload and try again", ref.Kind, ref.ID, attempt+1, conflict.Actual)}
			}
			needLoad = true
			continue
		}
		if reused := (*events.KeyReusedError)(nil); errors.As(err, &reused) {
			// The stream holds the key's first events, of another request
			// (another aggregate, or this one under another fingerprint):
			// its deduplication is the key's one atomic record.
			return Result{}, errKeyReused()
		}
		if taken := (*events.IDTakenError)(nil); errors.As(err, &taken) {
			// The store binds a new aggregate's ID to its organisation
			// in one direct step: no scan of the other organisations.
			return Result{}, errIDTaken(ref, err)
		}
		if err != nil {
			h.cache.drop(ref.Org)
			var ae *apperr.Error
			if errors.As(err, &ae) {
				return Result{}, ae
			}
			return Result{}, apperr.Wrap(apperr.Unavailable, err, "the event store did not accept the events; nothing was recorded")
		}
		if scoped != "" && !written(stored, head, now) {
			// The events first stored under this key, for this request
			// (the store refuses another's): a racing twin's, or an
			// earlier attempt's found on the aggregate. They may lie
			// beyond events this entry has not seen: catch up on them.
			if err := h.catchUp(ctx, e, ref, false); err != nil {
				return Result{}, err
			}
			e.rememberKey(hk, scoped, keyUse{ref: ref, fingerprint: fingerprint})
			last := stored[len(stored)-1]
			return Result{Ref: ref, Version: last.Version, Sequence: last.Sequence, Events: stored, Replayed: true}, nil
		}
		typed := ownPayloads(stored, drafts, head, now)
		if err := h.applyTyped(ctx, e, stored, typed); err != nil {
			h.cache.drop(ref.Org)
			return Result{}, apperr.Wrap(apperr.Internal, err, "internal error")
		}
		if typed != nil {
			// The command's own events, right after the head it was
			// decided on: folded onto the projects it read in full too.
			evs := make([]aggregates.Event, 0, len(typed))
			for _, t := range typed {
				if ev, ok := t.(aggregates.Event); ok {
					evs = append(evs, ev)
				}
			}
			e.foldFull(evs)
		}
		e.full = nil
		if areq.OrgWide && len(stored) > 0 {
			// Nothing of the organisation lies between orgSeq and these
			// events (the store checked). After an append decided alone
			// the entry cannot tell: it is no longer whole, and the next
			// decision that reads the organisation catches up first.
			e.orgSeq = stored[len(stored)-1].Sequence
		}
		if org, ok := h.located.Load(hk); !ok || org.(string) != ref.Org {
			// Stored once: a store of the same value again costs an allocation.
			h.located.Store(hk, ref.Org)
		}
		if scoped != "" {
			// Written by this request: the events under this key are its.
			e.rememberKey(hk, scoped, keyUse{ref: ref, fingerprint: fingerprint})
		}
		last := stored[len(stored)-1]
		return Result{Ref: ref, Version: last.Version, Sequence: last.Sequence, Events: stored, Replayed: last.Sequence <= head.Sequence}, nil
	}
}

// catchUp applies the events the entry has not seen: of the whole
// organisation (orgWide) or of one aggregate.
func (h *Handler) catchUp(ctx context.Context, e *entry, ref events.Ref, orgWide bool) error {
	var envs []events.Envelope
	var err error
	// A cold entry reads the organisation in one scan; one that holds
	// aggregates asks which moved.
	if oc, ok := h.store.(events.OrgChanges); ok && orgWide && len(e.heads) > 0 {
		if done, err := h.catchUpChanged(ctx, e, oc); err != nil || done {
			return err
		}
	}
	if orgWide {
		envs, err = h.store.LoadOrg(ctx, e.org, e.orgSeq)
	} else {
		envs, err = h.store.Load(ctx, ref, e.heads[headKey(ref.Kind, ref.ID)].Sequence)
	}
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
	}
	if err := h.apply(ctx, e, envs); err != nil {
		h.cache.drop(e.org)
		return apperr.Wrap(apperr.Internal, err, "internal error")
	}
	if orgWide {
		if len(envs) > 0 {
			e.orgSeq = max(e.orgSeq, envs[len(envs)-1].Sequence)
		}
		e.loaded = true
	}
	return nil
}

// catchUpChanged catches the entry up on the whole organisation by asking
// the store which aggregates moved since the entry's organisation sequence
// and loading those alone, up to where the store looked: after heavy
// reporting on projects this entry has followed, an organisation-wide
// command reads one answer per aggregate instead of every event since.
// done is false when the store cannot tell (LoadOrg then).
func (h *Handler) catchUpChanged(ctx context.Context, e *entry, oc events.OrgChanges) (done bool, err error) {
	changed, upTo, ok, err := oc.ChangedSince(ctx, e.org, e.orgSeq)
	if err != nil {
		return false, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
	}
	if !ok {
		return false, nil
	}
	for _, c := range changed {
		from := e.heads[headKey(c.Ref.Kind, c.Ref.ID)].Sequence
		if from >= c.Sequence {
			continue
		}
		envs, err := h.store.Load(ctx, c.Ref, from)
		if err != nil {
			return false, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
		}
		// Up to where the store looked, and no further.
		n := 0
		for n < len(envs) && envs[n].Sequence <= c.Sequence {
			n++
		}
		if err := h.apply(ctx, e, envs[:n]); err != nil {
			h.cache.drop(e.org)
			return false, apperr.Wrap(apperr.Internal, err, "internal error")
		}
	}
	// Every event of the organisation up to upTo is applied, and its last
	// is the highest head: the sequence an organisation-wide append
	// expects of grants.<org>.>.
	if upTo >= e.maxSeq() {
		e.orgSeq = e.maxSeq()
		e.loaded = true
	}
	return true, nil
}

// apply evolves the entry with envs, skipping events already applied. The
// new events are folded in place, in time linear in the events alone.
func (h *Handler) apply(ctx context.Context, e *entry, envs []events.Envelope) error {
	return h.applyTyped(ctx, e, envs, nil)
}

// ownPayloads returns the decided payloads of the events this handler has
// just appended, stored (their envelopes, as the store returned them)
// beside drafts, so that they are folded without decoding the JSON made
// of them a moment ago. It returns nil (decode them) unless stored are
// the events built from drafts: as many, the versions after head, and
// recorded at now, the instant this request gave them (a repeated
// append's originals, recorded by an earlier request, are not).
func ownPayloads(stored []events.Envelope, drafts []events.Draft, head events.Head, now time.Time) []any {
	if len(stored) != len(drafts) {
		return nil
	}
	out := make([]any, len(drafts))
	for i := range stored {
		env, d := &stored[i], drafts[i].Payload
		if env.Version != head.Version+uint64(i)+1 || !env.RecordedAt.Equal(now) || env.SchemaVersion == 0 || d == nil || reflect.TypeOf(d).Kind() == reflect.Pointer {
			return nil
		}
		out[i] = d
	}
	return out
}

// applyTyped is apply; typed, when not nil, holds the decoded payload of each of
// envs (ownPayloads).
func (h *Handler) applyTyped(ctx context.Context, e *entry, envs []events.Envelope, typed []any) error {
	evs := make([]aggregates.Event, 0, len(envs))
	var cp *events.Checkpoint
	if h.cfg.KeyRing != nil && len(envs) > 0 {
		cp = h.trusted.get(ctx, h.store, h.cfg.KeyRing, h.clock.Now(), h.log)
	}
	for i, env := range envs {
		k := headKey(env.Ref.Kind, env.Ref.ID)
		if env.Sequence <= e.heads[k].Sequence {
			continue
		}
		kept := "" // the head's hash, copied once
		if h.cfg.KeyRing != nil {
			if ok := h.admit(e, k, &env, cp); !ok {
				continue
			}
			kept = e.chains[k].Head.Hash
		} else if env.Damage != "" {
			return fmt.Errorf("the stored event at sequence %d cannot be read: %s", env.Sequence, env.Damage)
		}
		if env.Type == events.DamageResolvedType {
			// Not a domain event: the chain state took it in.
			e.setHead(k, env, kept)
			continue
		}
		var payload any
		if typed != nil {
			payload = typed[i]
		} else {
			var err error
			if payload, err = h.reg.Decode(env); err != nil {
				return fmt.Errorf("decoding %s: %w", env.Ref, err)
			}
		}
		ev, ok := payload.(aggregates.Event)
		if !ok {
			return fmt.Errorf("event type %s at sequence %d is not a domain event", env.Type, env.Sequence)
		}
		evs = append(evs, ev)
		e.grown += sizeOfEvent(&env, ev)
		e.setHead(k, env, kept)
		if env.IdempotencyKey != "" {
			// Copies: the event's strings may share the memory of the
			// whole stored message.
			scoped, fp := splitEventKey(env.IdempotencyKey)
			e.rememberKey(k, strings.Clone(scoped), keyUse{ref: env.Ref.Clone(), fingerprint: strings.Clone(fp)})
			e.indexKey(scoped, env.Sequence)
		}
	}
	if len(evs) > 0 {
		// The entry owns its portfolio (built from NewCompactPortfolio by this
		// function only, under the organisation's lock): it is evolved in
		// place, so that an event costs the same in a project of 10 or
		// 1 000 mobilities. Portfolio hands out clones.
		aggregates.EvolveOwned(&e.portfolio, evs)
	}
	h.cache.account(e)
	return nil
}

// written reports whether stored are the events this request has just
// written: the versions after head, recorded at now (the instant this
// request gave them). Events first stored under the same key by a racing
// twin or an earlier attempt are not (recorded at another instant; a twin
// decided on the same head at the same instant decided the same events).
func written(stored []events.Envelope, head events.Head, now time.Time) bool {
	return stored[0].Version == head.Version+1 && stored[0].RecordedAt.Equal(now)
}

// refusedRetry answers a keyed command that the domain refused, when it
// is the retry of one that went through: the refusal may come of its own
// first events (a report retried into the project it filled). It catches
// the aggregate up (unless it was just loaded) and looks for the key among
// the keys of its events; when the entry has forgotten it (beyond
// keysPerAggregate), in the span index of every key the entry applied
// (keyspans.go): a key absent there was never written on the aggregate
// (a refusal of a new command, answered without a read), and a key
// present is answered from its own events, not the aggregate's history.
func (h *Handler) refusedRetry(ctx context.Context, e *entry, ref events.Ref, fresh bool, scoped, fingerprint string) (Result, bool, error) {
	if !fresh {
		if err := h.catchUp(ctx, e, ref, false); err != nil {
			return Result{}, false, err
		}
	}
	use, ok := e.keys[scoped]
	if ok {
		if err := sameRequest(use, fingerprint); err != nil {
			return Result{}, false, err
		}
		ref = use.ref
	} else if !e.mayHaveKey(scoped) {
		return Result{}, false, nil
	}
	res, err := h.replayKey(ctx, e, ref, scoped)
	if errors.Is(err, events.ErrNotFound) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
	}
	if !ok {
		_, fp := splitEventKey(res.Events[0].IdempotencyKey)
		if err := sameRequest(keyUse{ref: ref, fingerprint: fp}, fingerprint); err != nil {
			return Result{}, false, err
		}
	}
	return res, true, nil
}

// sameRequest checks that a key found in the events was written for this
// request: by the fingerprint this handler kept or the events carry (its
// start). A key whose request cannot be known (events of a release that
// did not carry the fingerprint) is refused rather than answered.
func sameRequest(use keyUse, fingerprint string) error {
	if use.fingerprint == "" {
		return &apperr.Error{Code: apperr.Conflict, Field: "Idempotency-Key",
			Message: "this idempotency key was already used and its first request is not known; use a new key for a new command"}
	}
	if !strings.HasPrefix(fingerprint, use.fingerprint) {
		return errKeyReused()
	}
	return nil
}

// fingerprintInKey is how much of the request's fingerprint the events'
// key carries (hex digits, 128 bits).
const fingerprintInKey = 32

// eventKey is the idempotency key the events of a keyed command carry: the
// scoped key and the start of the request's fingerprint, so that a retry
// is recognised and checked from the events alone, after its record
// expired. "" without a key.
func eventKey(scoped, fingerprint string) string {
	if scoped == "" {
		return ""
	}
	return scoped + "." + fingerprint[:min(fingerprintInKey, len(fingerprint))]
}

// splitEventKey returns the scoped key and the fingerprint's start of an
// event's key; an event of an earlier release carries no fingerprint.
func splitEventKey(k string) (scoped, fingerprint string) {
	scoped, fingerprint, _ = strings.Cut(k, ".")
	return scoped, fingerprint
}

// errKeyReused is the answer to a key first used for another request.
func errKeyReused() error {
	return &apperr.Error{Code: apperr.RuleViolation, Field: "Idempotency-Key", Message: "this idempotency key was already used for a different command; use a new key for a new command"}
}

// replayFromStore rebuilds the first answer from the events of ref that
// carry the scoped key.
func (h *Handler) replayFromStore(ctx context.Context, ref events.Ref, scoped string) (Result, error) {
	envs, err := h.store.Load(ctx, ref, 0)
	if err != nil {
		return Result{}, err
	}
	res := Result{Ref: ref, Replayed: true}
	for _, e := range envs {
		if s, _ := splitEventKey(e.IdempotencyKey); s == scoped {
			res.Events = append(res.Events, e)
			res.Version, res.Sequence = e.Version, e.Sequence
		}
	}
	if len(res.Events) == 0 {
		return Result{}, events.ErrNotFound
	}
	return res, nil
}

// ScopeKey scopes a client's idempotency key to its user, so that two users
// never share a key.
func ScopeKey(actor events.Actor, key string) string {
	s := sha256.Sum256([]byte(actor.UserID + "\x00" + actor.Org + "\x00" + key))
	return hex.EncodeToString(s[:])
}

// asApp makes sure err is an *apperr.Error.
func asApp(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.Wrap(apperr.Internal, err, "internal error")
}
