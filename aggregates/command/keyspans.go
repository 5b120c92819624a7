package command

import (
	"context"
	"hash/maphash"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// keySpan is where the events written under one idempotency key lie in
// the stream: the sequences of the first and the last (one command's
// events, appended as one atomic batch, are consecutive).
type keySpan struct{ first, last uint64 }

// spanBytes is what one indexed key adds to an entry, approximately (a
// map slot of a 64-bit hash and two sequences, with the map's overhead).
const spanBytes = 40

// spanSeed seeds the key hashes of the span index (in memory only: a
// hash is never stored, and a collision costs a read of the aggregate,
// never a wrong answer).
var spanSeed = maphash.MakeSeed()

// spanHash is the span index's hash of scoped key.
func spanHash(scoped string) uint64 { return maphash.String(spanSeed, scoped) }

// indexKey records that the event at sequence seq carries scoped key.
func (e *entry) indexKey(scoped string, seq uint64) {
	k := spanHash(scoped)
	sp, ok := e.spans[k]
	if !ok {
		e.spans[k] = keySpan{first: seq, last: seq}
		e.grown += spanBytes
		return
	}
	sp.first, sp.last = min(sp.first, seq), max(sp.last, seq)
	e.spans[k] = sp
}

// mayHaveKey reports whether scoped key may have been written on an
// aggregate whose every event the entry applied; false is certain.
func (e *entry) mayHaveKey(scoped string) bool {
	_, ok := e.spans[spanHash(scoped)]
	return ok
}

// spanEvents returns the events written under scoped key that the span
// index points at, of whatever aggregate: a read of the key's own events
// (one direct get of a few sequences), whatever the length of the
// aggregate's history. None when the index does not know the key, or
// its span holds no event under it (a hash collision).
func (h *Handler) spanEvents(ctx context.Context, e *entry, scoped string) ([]events.Envelope, error) {
	sp, ok := e.spans[spanHash(scoped)]
	if !ok {
		return nil, nil
	}
	var out []events.Envelope
	err := h.store.Events(ctx, sp.first, sp.last, func(env events.Envelope) error {
		if s, _ := splitEventKey(env.IdempotencyKey); s == scoped {
			out = append(out, env)
		}
		return nil
	})
	return out, err
}

// replayKey rebuilds the first answer of scoped key on ref from the events
// the span index points at (spanEvents); a key the index does not find
// there is looked up in the aggregate's history (replayFromStore).
func (h *Handler) replayKey(ctx context.Context, e *entry, ref events.Ref, scoped string) (Result, error) {
	envs, err := h.spanEvents(ctx, e, scoped)
	if err != nil {
		return Result{}, err
	}
	res := Result{Ref: ref, Replayed: true}
	for _, env := range envs {
		if env.Ref == ref {
			res.Events = append(res.Events, env)
			res.Version, res.Sequence = env.Version, env.Sequence
		}
	}
	if len(res.Events) == 0 {
		return h.replayFromStore(ctx, ref, scoped)
	}
	return res, nil
}

// replayIndexed answers a keyed command whose key the span index knows
// (the entry has forgotten its use: beyond keysPerAggregate) before it is
// decided again: the first events when they were written for this
// request, errKeyReused when for another. ok is false when the index's
// span holds no event under the key (a hash collision): decide.
func (h *Handler) replayIndexed(ctx context.Context, e *entry, scoped, fingerprint string) (res Result, ok bool, err error) {
	envs, err := h.spanEvents(ctx, e, scoped)
	if err != nil {
		return Result{}, false, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
	}
	if len(envs) == 0 {
		return Result{}, false, nil
	}
	_, fp := splitEventKey(envs[0].IdempotencyKey)
	if err := sameRequest(keyUse{ref: envs[0].Ref, fingerprint: fp}, fingerprint); err != nil {
		return Result{}, false, err
	}
	last := envs[len(envs)-1]
	return Result{Ref: envs[0].Ref, Version: last.Version, Sequence: last.Sequence, Events: envs, Replayed: true}, true, nil
}
