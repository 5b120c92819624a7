package events_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/storetest"
)

var at = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func key(s string) *events.Ed25519Signer {
	sum := sha256.Sum256([]byte(s))
	return events.NewEd25519Signer(ed25519.NewKeyFromSeed(sum[:]))
}

func verifyRegistry() *events.Registry {
	reg := storetest.Registry()
	reg.Register(events.DamageResolvedType, 1, events.DamageResolved{}, nil)
	return reg
}

// ledger is a memstore with the service's key and a forger's store on the
// same events (another key, or none).
type ledger struct {
	t       *testing.T
	ctx     context.Context
	service *memstore.Store
	ring    *events.KeyRing
}

func newLedger(t *testing.T) *ledger {
	svc := key("service")
	return &ledger{t: t, ctx: context.Background(), service: memstore.New(verifyRegistry(), memstore.Config{Signer: svc}),
		ring: events.NewKeyRing([]ed25519.PublicKey{svc.Public()}, nil)}
}

func (l *ledger) append(ref events.Ref, payload any) []events.Envelope {
	l.t.Helper()
	envs, err := l.service.Load(l.ctx, ref, 0)
	if err != nil {
		l.t.Fatal(err)
	}
	var head events.Head
	if len(envs) > 0 {
		head = events.HeadOf(envs[len(envs)-1])
	}
	out, err := l.service.Append(l.ctx, events.AppendRequest{Ref: ref, Expected: head, Meta: events.Meta{RecordedAt: at}, Events: []events.Draft{{Payload: payload}}})
	if err != nil {
		l.t.Fatal(err)
	}
	return out
}

// forge appends a correctly chained event signed by signer (nil: unsigned)
// through a store of the project's own library that shares the log.
func (l *ledger) forge(ref events.Ref, payload any, signer events.Signer) events.Envelope {
	l.t.Helper()
	envs, _ := l.service.Load(l.ctx, ref, 0)
	head := events.HeadOf(envs[len(envs)-1])
	forged, err := events.Build(verifyRegistry(), nil, signer, events.AppendRequest{Ref: ref, Expected: head, Meta: events.Meta{RecordedAt: at}, Events: []events.Draft{{Payload: payload}}})
	if err != nil {
		l.t.Fatal(err)
	}
	seq, err := l.service.Inject(forged[0])
	if err != nil {
		l.t.Fatal(err)
	}
	forged[0].Sequence = seq
	return forged[0]
}

func (l *ledger) verify(opts events.VerifyOptions) events.StreamReport {
	l.t.Helper()
	rep, _, err := events.VerifyStore(l.ctx, l.service, l.ring, opts)
	if err != nil {
		l.t.Fatal(err)
	}
	return rep
}

var (
	refA = events.Ref{Org: "E1", Kind: "project", ID: "a"}
	refB = events.Ref{Org: "E2", Kind: "project", ID: "b"}
)

func TestVerifyNamesAForgerySignedByAnotherKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		signer events.Signer
		kind   string
	}{
		{"another key", key("forger"), events.ProblemSignature},
		{"no key", nil, events.ProblemUnsigned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger(t)
			l.append(refA, storetest.Noted{Text: "1"})
			l.append(refB, storetest.Noted{Text: "other org"})
			forged := l.forge(refA, storetest.Noted{Text: "pay 500 000 EUR"}, tc.signer)
			l.append(refB, storetest.Noted{Text: "other org goes on"})
			rep := l.verify(events.VerifyOptions{})
			if rep.Valid || rep.FirstBroken == nil {
				t.Fatalf("a forgery verified: %+v", rep)
			}
			fb := rep.FirstBroken
			if fb.Sequence != forged.Sequence || fb.Ref != refA || fb.Type != "test.noted" || fb.Kind != tc.kind {
				t.Fatalf("first broken %+v, want sequence %d on %s (%s)", fb, forged.Sequence, refA, tc.kind)
			}
			if len(rep.Problems) != 1 {
				t.Fatalf("problems %+v, want the forgery only", rep.Problems)
			}
		})
	}
}

func TestResolutionClearsTheDamageAndTheChainGoesOn(t *testing.T) {
	l := newLedger(t)
	l.append(refA, storetest.Noted{Text: "1"})
	forged := l.forge(refA, storetest.Noted{Text: "forged"}, key("forger"))
	// The office's resolution continues from the last valid event.
	envs, _ := l.service.Load(l.ctx, refA, 0)
	var st events.ChainState
	for i := range envs {
		st.Check(&envs[i], l.ring, events.TrustSignature, false)
	}
	if p, ok := st.Damaged(); !ok || p.Sequence != forged.Sequence {
		t.Fatalf("the aggregate is not damaged at %d: %+v", forged.Sequence, p)
	}
	res, err := l.service.Append(l.ctx, events.AppendRequest{Ref: refA, Expected: events.Head{Version: st.Head.Version, Hash: st.Head.Hash, Sequence: forged.Sequence},
		Meta: events.Meta{RecordedAt: at}, Events: []events.Draft{{Payload: events.DamageResolved{Sequence: forged.Sequence, Resolution: "dismissed"}}}})
	if err != nil {
		t.Fatal(err)
	}
	st.Check(&res[0], l.ring, events.TrustSignature, false)
	if p, ok := st.Damaged(); ok {
		t.Fatalf("still damaged after the resolution: %+v", p)
	}
	l.append(refA, storetest.Noted{Text: "after"}) // would break on the forgery's head
	rep := l.verify(events.VerifyOptions{})
	if !rep.Valid || len(rep.Problems) != 1 || !rep.Problems[0].Resolved {
		t.Fatalf("after the resolution: %+v", rep)
	}
}

func TestLegacyEventsCountOnlyUnderACheckpoint(t *testing.T) {
	l := newLedger(t)
	l.append(refA, storetest.Noted{Text: "signed"})
	legacy := l.forge(refA, storetest.Noted{Text: "written before signing"}, nil)
	if rep := l.verify(events.VerifyOptions{}); rep.Valid {
		t.Fatal("an unsigned event verified without a checkpoint")
	}
	// The checkpoint written at the upgrade covers it.
	heads := []events.ChainHead{{Subject: refA.Subject(), Version: legacy.Version, Sequence: legacy.Sequence, Hash: legacy.Hash}}
	cp := events.NewCheckpoint(legacy.Sequence, heads, nil, at, key("service"))
	if _, err := l.service.WriteCheckpoint(l.ctx, cp); err != nil {
		t.Fatal(err)
	}
	for _, fast := range []bool{false, true} {
		if rep := l.verify(events.VerifyOptions{Fast: fast}); !rep.Valid || rep.Checkpoints != 1 {
			t.Fatalf("fast %v: a legacy event under a checkpoint: %+v", fast, rep)
		}
	}
	after := l.forge(refA, storetest.Noted{Text: "unsigned after the checkpoint"}, nil)
	if rep := l.verify(events.VerifyOptions{Fast: true}); rep.Valid || rep.FirstBroken.Sequence != after.Sequence {
		t.Fatalf("an unsigned event after the checkpoint: %+v", rep)
	}
}

func TestAgainstAnExportedCheckpointCatchesARewrittenHistory(t *testing.T) {
	l := newLedger(t)
	l.append(refA, storetest.Noted{Text: "1"})
	l.append(refB, storetest.Noted{Text: "2"})
	_, v, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cp := v.Checkpoint(key("service"), at)
	if err := cp.Verify(l.ring); err != nil {
		t.Fatal(err)
	}
	if rep := l.verify(events.VerifyOptions{Against: &cp}); !rep.Valid {
		t.Fatalf("the same history against its checkpoint: %+v", rep)
	}
	// Another history of the same length (a stream rebuilt by someone).
	other := newLedger(t)
	other.append(refA, storetest.Noted{Text: "1"})
	other.append(refB, storetest.Noted{Text: "rewritten"})
	rep := other.verify(events.VerifyOptions{Against: &cp})
	if rep.Valid || rep.FirstBroken == nil || !strings.Contains(rep.FirstBroken.Reason, refA.Subject()+": the checkpoint has version 1") {
		t.Fatalf("a rewritten history against the checkpoint: %+v", rep)
	}
	// A truncated one.
	short := newLedger(t)
	short.append(refA, storetest.Noted{Text: "1"})
	rep = short.verify(events.VerifyOptions{Against: &cp})
	truncated := false
	for _, p := range rep.Problems {
		truncated = truncated || (p.Sequence == 2 && strings.Contains(p.Reason, "truncated"))
	}
	if rep.Valid || !truncated {
		t.Fatalf("a truncated history against the checkpoint: %+v", rep)
	}
}

// TestExtendedVerifierCheckpointsAsAFullVerification: a verifier that read
// the stream and then follows it (Extend) signs the checkpoint a full
// verification of the same stream would: the same heads and the same
// refused events, a forgery among the new events included, whether the
// first verification was fast or accepted legacy events.
// A verifier that follows the stream event by event (Follow, from a
// subscription) signs the same checkpoint.
func TestExtendedVerifierCheckpointsAsAFullVerification(t *testing.T) {
	extend := func(l *ledger, v *events.StreamVerifier, last uint64) error { return v.Extend(l.ctx, l.service, last) }
	follow := func(l *ledger, v *events.StreamVerifier, last uint64) error {
		ctx, cancel := context.WithCancel(l.ctx)
		defer cancel()
		err := l.service.Subscribe(ctx, v.ReadTo()+1, func(e events.Envelope) error {
			v.Follow(&e)
			v.Follow(&e) // a second time: ignored
			if e.Sequence >= last {
				cancel()
			}
			return nil
		})
		if v.ReadTo() != last {
			return fmt.Errorf("followed to %d, want %d (%v)", v.ReadTo(), last, err)
		}
		return nil
	}
	for _, tc := range []struct {
		name string
		opts events.VerifyOptions
		read func(l *ledger, v *events.StreamVerifier, last uint64) error
	}{
		{"fast", events.VerifyOptions{Fast: true}, extend},
		{"legacy", events.VerifyOptions{Legacy: true}, extend},
		{"fast, followed", events.VerifyOptions{Fast: true}, follow},
		{"legacy, followed", events.VerifyOptions{Legacy: true}, follow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger(t)
			svc := key("service")
			l.append(refA, storetest.Noted{Text: "1"})
			l.append(refB, storetest.Noted{Text: "other org"})
			_, v, err := events.VerifyStore(l.ctx, l.service, l.ring, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			cp1 := v.Checkpoint(svc, at)
			at1, err := l.service.WriteCheckpoint(l.ctx, cp1)
			if err != nil {
				t.Fatal(err)
			}
			v.Checkpointed(at1)
			l.append(refA, storetest.Noted{Text: "2"})
			forged := l.forge(refB, storetest.Noted{Text: "pay 500 000 EUR"}, nil)
			l.append(refA, storetest.Noted{Text: "3"})
			last, err := l.service.LastSequence(l.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.read(l, v, last); err != nil {
				t.Fatal(err)
			}
			got := v.Checkpoint(svc, at)
			l.sameAsFull(got, "extended")
			if fmt.Sprint(got.Refused) != fmt.Sprint([]uint64{forged.Sequence}) {
				t.Fatalf("refused %v, want the forgery at %d", got.Refused, forged.Sequence)
			}
		})
	}
}

// TestTrustedCheckpointTakesTheTailOfTheNewest: the trusted checkpoint is
// the newest tail of the stream's newest checkpoint when its signatures
// verify; a tail of an older checkpoint, or one signed by another key,
// counts for nothing (the stream's checkpoint does).
func TestTrustedCheckpointTakesTheTailOfTheNewest(t *testing.T) {
	l := newLedger(t)
	svc := key("service")
	l.append(refA, storetest.Noted{Text: "1"})
	_, v, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	cp := v.Checkpoint(svc, at)
	base, err := l.service.WriteCheckpoint(l.ctx, cp)
	if err != nil {
		t.Fatal(err)
	}
	stored := events.StoredCheckpoint{Checkpoint: cp, At: base}
	l.append(refA, storetest.Noted{Text: "2"})
	l.append(refB, storetest.Noted{Text: "3"})
	last, _ := l.service.LastSequence(l.ctx)
	if err := v.Extend(l.ctx, l.service, last); err != nil {
		t.Fatal(err)
	}
	trusted := func() uint64 {
		t.Helper()
		c, err := events.TrustedCheckpoint(l.ctx, l.service, l.ring)
		if err != nil || c == nil {
			t.Fatalf("trusted checkpoint %v, %v", c, err)
		}
		return c.Sequence
	}
	tail := v.Checkpoint(svc, at)
	for _, tc := range []struct {
		name string
		tail events.TailCheckpoint
		want uint64
	}{
		{"signed by another key", events.NewTailCheckpoint(v.Checkpoint(key("forger"), at), stored, key("forger")), cp.Sequence},
		{"its tail signature by another key", events.NewTailCheckpoint(tail, stored, key("forger")), cp.Sequence},
		{"of another digest", events.NewTailCheckpoint(tail, events.StoredCheckpoint{Checkpoint: events.Checkpoint{Digest: "x"}, At: base}, svc), cp.Sequence},
		{"the newest's", events.NewTailCheckpoint(tail, stored, svc), last},
	} {
		if err := l.service.WriteTailCheckpoint(l.ctx, tc.tail); err != nil {
			t.Fatal(err)
		}
		if got := trusted(); got != tc.want {
			t.Fatalf("a tail %s: trusted checkpoint at %d, want %d", tc.name, got, tc.want)
		}
	}
	// A newer checkpoint of the stream: the tail of the older counts no more.
	l.append(refA, storetest.Noted{Text: "4"})
	_, v2, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	newer := v2.Checkpoint(svc, at)
	if _, err := l.service.WriteCheckpoint(l.ctx, newer); err != nil {
		t.Fatal(err)
	}
	if got := trusted(); got != newer.Sequence {
		t.Fatalf("with a newer checkpoint of the stream: trusted checkpoint at %d, want %d", got, newer.Sequence)
	}
}

// TestResumedVerifierCheckpointsAsAFullVerification: a verifier resumed
// from a trusted checkpoint (a restarted instance, which has not read the
// stream) and extended over the events written since signs the checkpoint
// a full verification of the stream would: the same heads, the refused
// events before the checkpoint kept and a forgery after it refused.
func TestResumedVerifierCheckpointsAsAFullVerification(t *testing.T) {
	l := newLedger(t)
	svc := key("service")
	refC := events.Ref{Org: "E3", Kind: "project", ID: "c"}
	l.append(refA, storetest.Noted{Text: "1"})
	l.append(refC, storetest.Noted{Text: "c"})
	before := l.forge(refC, storetest.Noted{Text: "pay 1 EUR more"}, nil)
	l.append(refB, storetest.Noted{Text: "other org"})
	_, v, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	cp := v.Checkpoint(svc, at)
	kept := v.Heads() // what the instance that signed cp keeps of it
	if _, err := l.service.WriteCheckpoint(l.ctx, cp); err != nil {
		t.Fatal(err)
	}
	l.append(refA, storetest.Noted{Text: "2"})
	after := l.forge(refB, storetest.Noted{Text: "pay 500 000 EUR"}, nil)
	l.append(refA, storetest.Noted{Text: "3"})
	l.append(events.Ref{Org: refA.Org, Kind: refA.Kind, ID: "new-one"}, storetest.Noted{Text: "a new aggregate"})

	trusted, base, err := events.TrustedCheckpointOf(l.ctx, l.service, l.ring)
	if err != nil || trusted == nil || trusted.Sequence != cp.Sequence || base.Sequence != cp.Sequence {
		t.Fatalf("trusted checkpoint %v (base %d), %v; want the one at %d", trusted, base.Sequence, err, cp.Sequence)
	}
	r, err := events.ResumeStreamVerifier(l.ring, trusted, kept, nil)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := l.service.LastSequence(l.ctx)
	if err := r.Extend(l.ctx, l.service, last); err != nil {
		t.Fatal(err)
	}
	got := r.Checkpoint(svc, at)
	l.sameAsFull(got, "resumed")
	if fmt.Sprint(got.Refused) != fmt.Sprint([]uint64{before.Sequence, after.Sequence}) {
		t.Fatalf("refused %v, want the forgeries at %d and %d", got.Refused, before.Sequence, after.Sequence)
	}
	// A tail of it is trusted, and a verifier resumes from that tail too.
	if err := l.service.WriteTailCheckpoint(l.ctx, events.NewTailCheckpoint(got, base, svc)); err != nil {
		t.Fatal(err)
	}
	tail, _, err := events.TrustedCheckpointOf(l.ctx, l.service, l.ring)
	if err != nil || tail == nil || tail.Sequence != last {
		t.Fatalf("trusted checkpoint after the tail: %v, %v; want the tail at %d", tail, err, last)
	}
	if _, err := events.ResumeStreamVerifier(l.ring, tail, r.Heads(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestResumeRefusesHeadsThatDoNotMatchTheCheckpoint: the heads a verifier
// resumes from are kept outside the signed checkpoint (which stores their
// digest); they count only when they match it.
func TestResumeRefusesHeadsThatDoNotMatchTheCheckpoint(t *testing.T) {
	l := newLedger(t)
	l.append(refA, storetest.Noted{Text: "1"})
	l.append(refB, storetest.Noted{Text: "2"})
	_, v, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	cp := v.Checkpoint(key("service"), at)
	for _, tc := range []struct {
		name   string
		change func([]events.ChainHead) []events.ChainHead
	}{
		{"a head's hash changed", func(h []events.ChainHead) []events.ChainHead {
			h[0].Hash = strings.Repeat("0", len(h[0].Hash))
			return h
		}},
		{"a head's version changed", func(h []events.ChainHead) []events.ChainHead { h[1].Version++; return h }},
		{"a head left out", func(h []events.ChainHead) []events.ChainHead { return h[1:] }},
		{"a head twice", func(h []events.ChainHead) []events.ChainHead { return append(h, h[0]) }},
		{"none", func([]events.ChainHead) []events.ChainHead { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := events.ResumeStreamVerifier(l.ring, &cp, tc.change(v.Heads()), nil); err == nil {
				t.Fatal("resumed from heads the checkpoint's digest does not sign")
			}
		})
	}
	forged := v.Checkpoint(key("forger"), at)
	if _, err := events.ResumeStreamVerifier(l.ring, &forged, v.Heads(), nil); err == nil {
		t.Fatal("resumed from a checkpoint signed by another key")
	}
	if _, err := events.ResumeStreamVerifier(l.ring, &cp, v.Heads(), nil); err != nil {
		t.Fatalf("the heads as signed: %v", err)
	}
}

// TestResumedFromAnOlderCheckpointChecksTheNewerOnes: a verifier resumed
// from the heads an instance kept of an older checkpoint (the stream has a
// newer one since, written by another instance) compares its heads with
// the newer checkpoint as it passes it, and signs what a full verification
// would.
func TestResumedFromAnOlderCheckpointChecksTheNewerOnes(t *testing.T) {
	l := newLedger(t)
	svc := key("service")
	l.append(refA, storetest.Noted{Text: "1"})
	_, v, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	old := v.Checkpoint(svc, at)
	kept := v.Heads()
	if _, err := l.service.WriteCheckpoint(l.ctx, old); err != nil {
		t.Fatal(err)
	}
	l.append(refB, storetest.Noted{Text: "2"})
	_, v2, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	newer := v2.Checkpoint(svc, at)
	if _, err := l.service.WriteCheckpoint(l.ctx, newer); err != nil {
		t.Fatal(err)
	}
	l.append(refA, storetest.Noted{Text: "3"})
	cps, err := l.service.Checkpoints(l.ctx)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := l.service.LastSequence(l.ctx)
	resumed := func(cps []events.StoredCheckpoint) (events.Checkpoint, events.StreamReport) {
		t.Helper()
		r, err := events.ResumeStreamVerifier(l.ring, &old, kept, cps)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Extend(l.ctx, l.service, last); err != nil {
			t.Fatal(err)
		}
		return r.Checkpoint(svc, at), r.Finish(nil, last)
	}
	got, rep := resumed(cps)
	l.sameAsFull(got, "resumed from the older checkpoint")
	if len(rep.Problems) != 0 || rep.Checkpoints != 1 {
		t.Fatalf("resumed: %d checkpoints compared, problems %v; want the newer one compared and no problem", rep.Checkpoints, rep.Problems)
	}
	// A newer checkpoint whose heads are not those of the stream is named.
	bad := cps[len(cps)-1]
	bad.Checkpoint = events.NewCheckpoint(bad.Sequence, kept, nil, at, svc)
	if _, rep := resumed([]events.StoredCheckpoint{bad}); len(rep.Problems) != 1 || rep.Problems[0].Kind != events.ProblemCheckpoint {
		t.Fatalf("a newer checkpoint of other heads: problems %v, want one checkpoint problem", rep.Problems)
	}
}

// ownCounter counts the events a RecentSigner recognises as its own.
type ownCounter struct {
	rs  *events.RecentSigner
	own int
}

func (o *ownCounter) SignedHere(e *events.Envelope) bool {
	ok := o.rs.SignedHere(e)
	if ok {
		o.own++
	}
	return ok
}

// TestExtendTrustsOwnSignaturesButNotCopiesOfThem: a verifier following
// the stream (the guard's tail checkpoints) with TrustOwn recognises the
// events its process has just signed instead of verifying their
// signatures again, still refuses an event carrying a copy of one of
// those signatures on other content, and checkpoints as a full
// verification does.
func TestExtendTrustsOwnSignaturesButNotCopiesOfThem(t *testing.T) {
	svc := key("service")
	rs := events.NewRecentSigner(svc, 16)
	l := &ledger{t: t, ctx: context.Background(), service: memstore.New(verifyRegistry(), memstore.Config{Signer: rs}),
		ring: events.NewKeyRing([]ed25519.PublicKey{svc.Public()}, nil)}
	l.append(refA, storetest.Noted{Text: "1"})
	_, v, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	own := &ownCounter{rs: rs}
	v.TrustOwn(own)
	second := l.append(refA, storetest.Noted{Text: "2"})
	l.append(refB, storetest.Noted{Text: "3"})
	// A correctly chained event on other content, under a copy of the
	// signature of an event signed here.
	envs, _ := l.service.Load(l.ctx, refA, 0)
	built, err := events.Build(verifyRegistry(), nil, nil, events.AppendRequest{Ref: refA, Expected: events.HeadOf(envs[len(envs)-1]),
		Meta: events.Meta{RecordedAt: at}, Events: []events.Draft{{Payload: storetest.Noted{Text: "pay 500 000 EUR"}}}})
	if err != nil {
		t.Fatal(err)
	}
	forged := built[0]
	forged.KeyID, forged.Signature = second[0].KeyID, second[0].Signature
	if forged.Sequence, err = l.service.Inject(forged); err != nil {
		t.Fatal(err)
	}
	last, err := l.service.LastSequence(l.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Extend(l.ctx, l.service, last); err != nil {
		t.Fatal(err)
	}
	if own.own != 2 {
		t.Fatalf("%d of the 2 events signed here recognised as own", own.own)
	}
	got := v.Checkpoint(svc, at)
	l.sameAsFull(got, "extended")
	if fmt.Sprint(got.Refused) != fmt.Sprint([]uint64{forged.Sequence}) {
		t.Fatalf("extended checkpoint refusing %v; want the forgery at %d refused", got.Refused, forged.Sequence)
	}
}

// sameAsFull fails unless got, a checkpoint signed by a verifier that
// followed the stream (extended or resumed, named by what), is the one a
// full verification of the stream signs: the same sequence, chains, heads
// digest and refused events.
func (l *ledger) sameAsFull(got events.Checkpoint, what string) {
	l.t.Helper()
	_, full, err := events.VerifyStore(l.ctx, l.service, l.ring, events.VerifyOptions{Fast: true})
	if err != nil {
		l.t.Fatal(err)
	}
	want := full.Checkpoint(key("service"), at)
	if got.Sequence != want.Sequence || got.Digest != want.Digest || got.Chains != want.Chains || fmt.Sprint(got.Refused) != fmt.Sprint(want.Refused) {
		l.t.Fatalf("%s checkpoint %d %s %d %v, the full verification's %d %s %d %v", what, got.Sequence, got.Digest, got.Chains, got.Refused, want.Sequence, want.Digest, want.Chains, want.Refused)
	}
}
