package events

import "bytes"

// builtSize is how many of the envelopes it built last a RecentSigner
// keeps: the command handler folds its own events at once and the
// projector follows the stream tens of milliseconds behind the appends (a
// few hundred events at the highest rates), as the store's own ring
// (events/jetstream, the same size).
const builtSize = 1024

// builtRecord is an envelope Build made, with a copy of its payload (a
// reader may hold the same backing array; the copy is what the hash was
// computed over, whatever happens to that array).
type builtRecord struct {
	env     Envelope // its Payload is nil: payload holds it
	payload []byte
}

// rememberBuilt keeps e, just sealed and signed by r in Build.
func (r *RecentSigner) rememberBuilt(e *Envelope) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.built == nil {
		r.built = make([]builtRecord, builtSize)
		r.builtAt = make(map[string]int32, builtSize)
	}
	slot := &r.built[r.builtNext]
	if old := slot.env.Signature; old != "" && r.builtAt[old] == int32(r.builtNext) {
		delete(r.builtAt, old)
	}
	payload := append(slot.payload[:0], e.Payload...)
	slot.env, slot.payload = *e, payload
	slot.env.Payload = nil
	r.builtAt[e.Signature] = int32(r.builtNext)
	r.builtNext = (r.builtNext + 1) % builtSize
}

// BuiltHere reports whether e is, field for field, an envelope Build made
// in this process with this signer (one of its last 1 024): its hash was
// computed from this very content and its signature made here, so neither
// needs checking again (TrustBuilt). The stream sequence, which neither
// covers, is not compared; a record that could not be read (Damage) never
// is one. Strings are compared by value (at no cost when they share the
// built envelope's memory, as the store's own readers' copies do), the
// payload against the copy kept when it was built.
func (r *RecentSigner) BuiltHere(e *Envelope) bool {
	if e.Signature == "" || e.Damage != "" {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.builtAt[e.Signature]
	if !ok {
		return false
	}
	b := &r.built[i]
	return sameBuilt(&b.env, e) && bytes.Equal(b.payload, e.Payload)
}

// sameBuilt compares every field of b and e but the sequence and the
// payload.
func sameBuilt(b, e *Envelope) bool {
	return b.ID == e.ID && b.Ref == e.Ref && b.Version == e.Version && b.Type == e.Type &&
		b.SchemaVersion == e.SchemaVersion && b.OccurredAt.Equal(e.OccurredAt) && b.RecordedAt.Equal(e.RecordedAt) &&
		b.Actor == e.Actor && b.CorrelationID == e.CorrelationID && b.CausationID == e.CausationID &&
		b.IdempotencyKey == e.IdempotencyKey && b.Reason == e.Reason &&
		b.PrevHash == e.PrevHash && b.Hash == e.Hash && b.KeyID == e.KeyID && b.Signature == e.Signature
}

// OwnTrust is the trust that own, the process's memory of what it signed
// (a RecentSigner, behind the SignedHere interface its readers take),
// gives e: TrustBuilt if own built e (BuiltHere), TrustOwnSignature if it
// made e's signature for e's hash (SignedHere), else ok is false.
func OwnTrust(own interface{ SignedHere(e *Envelope) bool }, e *Envelope) (_ Trust, ok bool) {
	if own == nil {
		return TrustSignature, false
	}
	if b, ok := own.(interface{ BuiltHere(e *Envelope) bool }); ok && b.BuiltHere(e) {
		return TrustBuilt, true
	}
	if own.SignedHere(e) {
		return TrustOwnSignature, true
	}
	return TrustSignature, false
}
