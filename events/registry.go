package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
)

// ErrUnknownType is returned when an event's type is not registered.
var ErrUnknownType = errors.New("unknown event type")

// ErrNewerSchema is returned when an event was written with a schema version
// newer than this build knows: it must be upgraded, not guessed at.
var ErrNewerSchema = errors.New("event schema version is newer than this build")

// Upcaster turns a payload of one schema version into the next version.
type Upcaster func(json.RawMessage) (json.RawMessage, error)

// TypeInfo describes one registered event type.
type TypeInfo struct {
	// Name is the event type name written to the Grants-Type header.
	Name string
	// Version is the current schema version.
	Version int
	// New returns a pointer to a zero payload value.
	New func() any
	// Upcasters maps schema version v to the function that turns a v
	// payload into a v+1 payload.
	Upcasters map[int]Upcaster
}

// Registry is the one place event types are registered. It is safe for
// concurrent use.
type Registry struct {
	mu     sync.RWMutex
	byName map[string]TypeInfo
	byType map[reflect.Type]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]TypeInfo{}, byType: map[reflect.Type]string{}}
}

// Register adds an event type; sample is a value (not a pointer) of its
// payload type. It panics on a duplicate name or type: registration is done
// once at start-up and a clash is a programming error.
func (r *Registry) Register(name string, version int, sample any, upcasters map[int]Upcaster) {
	t := reflect.TypeOf(sample)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byName[name]; dup {
		panic("events: duplicate event type " + name)
	}
	if _, dup := r.byType[t]; dup {
		panic("events: payload type registered twice: " + t.String())
	}
	if version < 1 {
		panic("events: schema version of " + name + " must be at least 1")
	}
	for v := 1; v < version; v++ {
		if upcasters[v] == nil {
			panic(fmt.Sprintf("events: %s version %d has no upcaster to %d", name, v, v+1))
		}
	}
	r.byName[name] = TypeInfo{Name: name, Version: version, New: func() any { return reflect.New(t).Interface() }, Upcasters: upcasters}
	r.byType[t] = name
}

// Lookup returns the registered type named name.
func (r *Registry) Lookup(name string) (TypeInfo, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ti, ok := r.byName[name]
	return ti, ok
}

// NameOf returns the registered name and schema version of a payload value.
func (r *Registry) NameOf(payload any) (string, int, error) {
	t := reflect.TypeOf(payload)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	name, ok := r.byType[t]
	if !ok {
		return "", 0, fmt.Errorf("%w: payload type %v is not registered", ErrUnknownType, t)
	}
	return name, r.byName[name].Version, nil
}

// Names lists the registered type names in order.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.byName))
	for n := range r.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Upcast brings a payload of schemaVersion up to the current version of typ.
func (r *Registry) Upcast(typ string, schemaVersion int, payload json.RawMessage) (json.RawMessage, error) {
	ti, ok := r.Lookup(typ)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, typ)
	}
	if schemaVersion > ti.Version {
		return nil, fmt.Errorf("%w: %s version %d, this build knows up to %d", ErrNewerSchema, typ, schemaVersion, ti.Version)
	}
	if schemaVersion < 1 {
		return nil, fmt.Errorf("event %s: schema version %d is not valid", typ, schemaVersion)
	}
	for v := schemaVersion; v < ti.Version; v++ {
		var err error
		if payload, err = ti.Upcasters[v](payload); err != nil {
			return nil, fmt.Errorf("upcasting %s from version %d: %w", typ, v, err)
		}
	}
	return payload, nil
}

// Decode returns the payload of env as a value of its registered type (not
// a pointer), upcast to the current schema version: read by the type's own
// DecodeJSON when it has one (JSONDecoder) and it reads the bytes, else by
// json.Unmarshal.
func (r *Registry) Decode(env Envelope) (any, error) {
	payload, err := r.Upcast(env.Type, env.SchemaVersion, env.Payload)
	if err != nil {
		return nil, err
	}
	ti, _ := r.Lookup(env.Type)
	v := ti.New()
	if d, ok := v.(JSONDecoder); ok {
		if d.DecodeJSON(payload) {
			return reflect.ValueOf(v).Elem().Interface(), nil
		}
		v = ti.New()
	}
	if err := json.Unmarshal(payload, v); err != nil {
		return nil, fmt.Errorf("decoding %s (sequence %d): %w", env.Type, env.Sequence, err)
	}
	return reflect.ValueOf(v).Elem().Interface(), nil
}
