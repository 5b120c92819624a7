package sqlite

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// handler projects one event type: it decodes the payload (in the reading
// goroutine) and applies it (in the writing goroutine).
type handler struct {
	name   string
	decode func(payload []byte) (any, error)
	apply  func(a *applier, env *events.Envelope, v any) error
	// summary appends the event's one-line audit summary to dst.
	summary func(dst []byte, env *events.Envelope, v any) []byte
	// release, if set, takes back a decoded value once it is applied.
	release func(v any)
}

// on registers the handler of event type T.
func on[T aggregates.Event](hs map[string]*handler, apply func(*applier, *events.Envelope, *T) error, summary func(*events.Envelope, *T) string) {
	var zero T
	name := zero.EventType()
	if _, dup := hs[name]; dup {
		panic("projections/sqlite: two handlers for " + name)
	}
	fast := newFlatDecoder(reflect.TypeFor[T]())
	hs[name] = &handler{
		name: name,
		decode: func(b []byte) (any, error) {
			v := new(T)
			if fast != nil {
				if fast.decode(b, unsafe.Pointer(v)) == nil {
					return v, nil
				}
				*v = zero
			}
			if err := json.Unmarshal(b, v); err != nil {
				return nil, err
			}
			return v, nil
		},
		apply:   func(a *applier, env *events.Envelope, v any) error { return apply(a, env, v.(*T)) },
		summary: func(dst []byte, env *events.Envelope, v any) []byte { return append(dst, summary(env, v.(*T))...) },
	}
}

// onAs registers the handler of event type T whose payload is decoded
// into M by decode, a lighter mirror of T for the hottest event types (see
// mobilityEvent); a test checks that M reads every payload of T alike.
// Their summaries are appended to the writer's buffer, with no string in
// between.
func onAs[T aggregates.Event, M any](hs map[string]*handler, decode func([]byte, *M) error, apply func(*applier, *events.Envelope, *M) error, summary func([]byte, *M) []byte) {
	var zero T
	name := zero.EventType()
	if _, dup := hs[name]; dup {
		panic("projections/sqlite: two handlers for " + name)
	}
	// The decoded values of these hot types are recycled: the writer
	// releases each one once applied (no handler keeps it).
	pool := sync.Pool{New: func() any { return new(M) }}
	hs[name] = &handler{
		name: name,
		decode: func(b []byte) (any, error) {
			v := pool.Get().(*M)
			var zero M
			*v = zero
			if err := decode(b, v); err != nil {
				pool.Put(v)
				return nil, err
			}
			return v, nil
		},
		release: func(v any) { pool.Put(v) },
		apply:   func(a *applier, env *events.Envelope, v any) error { return apply(a, env, v.(*M)) },
		summary: func(dst []byte, _ *events.Envelope, v any) []byte { return summary(dst, v.(*M)) },
	}
}

// handlers returns the handler of every event type the read models know.
func handlers() map[string]*handler {
	hs := map[string]*handler{}
	registerOrganisationHandlers(hs)
	registerProjectHandlers(hs)
	registerMobilityHandlers(hs)
	registerReferenceHandlers(hs)
	hs[events.DamageResolvedType] = resolutionHandler()
	registerPlanHandlers(hs)
	registerDeadlineHandlers(hs)
	registerConsortiumHandlers(hs)
	registerPersonalHandlers(hs)
	registerDisclosureHandlers(hs)
	return hs
}

// decoder turns envelopes into decoded items, refusing unknown types.
type decoder struct {
	reg *events.Registry
	hs  map[string]*handler
}

// ErrUnknownEvent is wrapped by the error that stops the projector at an
// event type it does not know.
var ErrUnknownEvent = events.ErrUnknownType

// ErrUndecodable is wrapped by the error that stops the projector at an
// event whose payload does not decode: a bug, never retried.
var ErrUndecodable = errors.New("a stored event does not decode")

// decode upcasts and decodes env's payload.
func (d *decoder) decode(env *events.Envelope) (*handler, any, error) {
	h, ok := d.hs[env.Type]
	if !ok {
		if _, known := d.reg.Lookup(env.Type); known {
			return nil, nil, fmt.Errorf("%w: the read models have no projection for event type %q (sequence %d); this build is incomplete",
				ErrUnknownEvent, env.Type, env.Sequence)
		}
		return nil, nil, fmt.Errorf("%w: event type %q at sequence %d is not known to this build; upgrade the program before projecting this stream",
			ErrUnknownEvent, env.Type, env.Sequence)
	}
	payload, err := d.reg.Upcast(env.Type, env.SchemaVersion, env.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: event %s at sequence %d: %w", ErrUndecodable, env.Type, env.Sequence, err)
	}
	v, err := h.decode(payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: decoding %s at sequence %d: %w", ErrUndecodable, env.Type, env.Sequence, err)
	}
	return h, v, nil
}
