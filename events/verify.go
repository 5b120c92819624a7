package events

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"
)

// StreamReport is the result of verifying a whole stream.
type StreamReport struct {
	// Valid is true when no problem is left unresolved.
	Valid bool `json:"valid"`
	// Events is the number of events read, Chains of aggregates,
	// Signatures of signatures checked, Checkpoints of signed checkpoints
	// compared.
	Events      int `json:"events"`
	Chains      int `json:"chains"`
	Signatures  int `json:"signatures"`
	Checkpoints int `json:"checkpoints"`
	// LastSequence is the last stream sequence read.
	LastSequence uint64 `json:"last_sequence"`
	// FirstBroken is the first unresolved problem in stream order.
	FirstBroken *Problem `json:"first_broken,omitempty"`
	// Problems are every problem met, resolved ones included, in stream
	// order.
	Problems []Problem `json:"problems"`
}

// StreamVerifier checks a whole stream, event by event in stream order:
// every event's hash, signature and place in its chain (ChainState), every
// signed checkpoint against the heads as of its sequence, and, at Finish,
// that no sequence is missing. Events without a signature (written before
// events were signed) count when a signed checkpoint covers them and the
// heads match it.
type StreamVerifier struct {
	ring     *KeyRing
	cps      []StoredCheckpoint
	next     int
	chains   map[string]*ChainState
	refs     map[string]Ref
	resolved map[uint64]bool
	rep      StreamReport
	// covered is the highest sequence a checkpoint covers.
	covered uint64
	// against, if set, is an exported checkpoint compared when the
	// verifier has read the events it covers.
	against     *Checkpoint
	againstDone bool
	// fast trusts the newest checkpoint for the events it covers: their
	// hashes and chains are recomputed and compared with it, their
	// signatures not checked.
	fast bool
	// lastSeen is the last sequence read; gaps are the sequences between
	// two read ones that hold neither an event nor a checkpoint.
	lastSeen uint64
	gaps     []uint64
	cpAt     map[uint64]bool
	// readTo is the stream sequence up to which the events were read
	// (VerifyStore, Extend).
	readTo uint64
	// carried are the refused sequences of the checkpoint a resumed
	// verifier starts from (ResumeStreamVerifier).
	carried []uint64
	// own, if set (TrustOwn), recognises the events this process signed.
	own interface{ SignedHere(e *Envelope) bool }
}

// TrustOwn makes the verifier recognise the events whose signature own
// (a RecentSigner: this process's signer) made for their very hash, as
// the command handler and the projector do: their hashes and chains are
// checked, their signatures not verified again. The ledger guard's tail
// checkpoints follow the stream the process is writing; verifying each
// of its own signatures again cost about a tenth of a report's CPU.
func (v *StreamVerifier) TrustOwn(own interface{ SignedHere(e *Envelope) bool }) { v.own = own }

// maxGaps bounds the missing sequences reported one by one.
const maxGaps = 10000

// skipTo records the sequences between the last one read and seq that
// hold neither an event nor a checkpoint: records the stream lost
// without saying so (a damaged block file).
func (v *StreamVerifier) skipTo(seq uint64) {
	for s := v.lastSeen + 1; s < seq && len(v.gaps) < maxGaps; s++ {
		if !v.cpAt[s] {
			v.gaps = append(v.gaps, s)
		}
	}
	v.lastSeen = max(v.lastSeen, seq)
}

// NewStreamVerifier returns a verifier trusting ring, with the stream's
// checkpoints (oldest first).
func NewStreamVerifier(ring *KeyRing, cps []StoredCheckpoint) *StreamVerifier {
	v := &StreamVerifier{ring: ring, cps: cps, chains: map[string]*ChainState{}, refs: map[string]Ref{}, resolved: map[uint64]bool{}, cpAt: map[uint64]bool{}}
	for _, c := range cps {
		v.covered = max(v.covered, c.Sequence)
		v.cpAt[c.At] = true
	}
	return v
}

// ResumeStreamVerifier returns a verifier that follows the stream from cp,
// a checkpoint signed by a key of ring (a stream checkpoint or a tail of
// one), as a verifier that had read the stream up to cp.Sequence would:
// its chains stand at heads, the heads of cp, and cp's refused sequences
// stay refused. A checkpoint stores only the digest of its heads: they
// are kept elsewhere (by the instance that signed it) and need no trust,
// for they must match the signed digest. later are the stream's
// checkpoints written since (oldest first): the verifier compares its
// heads with each as it passes it and refuses what they refuse, as a
// whole-stream verification does. Extend then checks the events after cp
// alone (hash, chain and signature), so that an instance that starts signs
// tail checkpoints of the events written since at once, instead of only
// after its next whole-stream verification. It fails when cp's signature
// or heads do not verify.
func ResumeStreamVerifier(ring *KeyRing, cp *Checkpoint, heads []ChainHead, later []StoredCheckpoint) (*StreamVerifier, error) {
	if cp == nil {
		return nil, errors.New("no checkpoint to resume from")
	}
	if err := cp.Verify(ring); err != nil {
		return nil, err
	}
	if len(heads) != cp.Chains || HeadsDigest(heads) != cp.Digest {
		return nil, fmt.Errorf("the heads kept do not match the digest of the checkpoint at sequence %d", cp.Sequence)
	}
	var after []StoredCheckpoint
	for _, c := range later {
		if c.Sequence > cp.Sequence {
			after = append(after, c)
		}
	}
	v := NewStreamVerifier(ring, after)
	for _, h := range heads {
		v.chains[h.Subject] = &ChainState{Head: Head{Version: h.Version, Sequence: h.Sequence, Hash: h.Hash}}
	}
	v.carried = slices.Clone(cp.Refused)
	v.rep.LastSequence = cp.Sequence
	v.lastSeen = cp.Sequence
	v.readTo = cp.Sequence
	return v, nil
}

// Add checks the next event of the stream.
func (v *StreamVerifier) Add(e *Envelope) { v.add(e, false) }

// add is Add; sigOK tells that the caller already verified e's signature
// with the verifier's key ring.
func (v *StreamVerifier) add(e *Envelope, sigOK bool) {
	v.skipTo(e.Sequence)
	v.checkpointsBefore(e.Sequence)
	if v.against != nil && !v.againstDone && e.Sequence > v.against.Sequence {
		v.againstDone = true
		v.CompareWith(v.against)
	}
	v.rep.Events++
	v.rep.LastSequence = max(v.rep.LastSequence, e.Sequence)
	subject := e.Ref.Subject()
	c := v.chains[subject]
	if c == nil {
		c = &ChainState{}
		v.chains[subject] = c
		v.refs[subject] = e.Ref.Clone()
	}
	if v.refusedByCheckpoint(e.Sequence) {
		p := Problem{Sequence: e.Sequence, Ref: e.Ref, Type: e.Type, Version: e.Version, Kind: ProblemSignature, Reason: "the service refused it when it was written (a signed checkpoint lists it)"}
		c.Open = append(c.Open, p)
		v.rep.Problems = append(v.rep.Problems, p)
		return
	}
	if e.Signature != "" {
		v.rep.Signatures++
	}
	legacy := e.Sequence <= v.covered
	trust := TrustSignature
	if (v.fast && legacy) || sigOK {
		trust = TrustCheckpoint
	} else if t, ok := OwnTrust(v.own, e); ok {
		trust = t
	}
	if p := c.Check(e, v.ring, trust, legacy); p != nil {
		v.rep.Problems = append(v.rep.Problems, *p)
		return
	}
	if e.Type == DamageResolvedType {
		if seq, ok := ResolvedSequence(e.Payload); ok {
			v.resolved[seq] = true
		}
	}
}

func (v *StreamVerifier) refusedByCheckpoint(seq uint64) bool {
	for i := range v.cps {
		if v.cps[i].Covers(seq) {
			return v.cps[i].Refuses(seq)
		}
	}
	return false
}

// checkpointsBefore compares the checkpoints that cover only events
// before seq with the heads.
func (v *StreamVerifier) checkpointsBefore(seq uint64) {
	for v.next < len(v.cps) && v.cps[v.next].Sequence < seq {
		v.compare(&v.cps[v.next])
		v.next++
	}
}

// Heads returns the heads of every chain as the verifier stands.
func (v *StreamVerifier) Heads() []ChainHead {
	out := make([]ChainHead, 0, len(v.chains))
	for subject, c := range v.chains {
		if c.Head.Version == 0 {
			continue
		}
		out = append(out, ChainHead{Subject: subject, Version: c.Head.Version, Sequence: c.Head.Sequence, Hash: c.Head.Hash})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Subject < out[j].Subject })
	return out
}

func (v *StreamVerifier) compare(cp *StoredCheckpoint) {
	v.rep.Checkpoints++
	fail := func(reason string) {
		v.rep.Problems = append(v.rep.Problems, Problem{Sequence: cp.At, Kind: ProblemCheckpoint, Reason: reason})
	}
	if err := cp.Verify(v.ring); err != nil {
		fail(err.Error())
		return
	}
	if HeadsDigest(v.Heads()) != cp.Digest {
		fail(fmt.Sprintf("the history up to sequence %d does not match the checkpoint signed at sequence %d", cp.Sequence, cp.At))
	}
}

// CompareWith checks an exported checkpoint against the heads as of its
// sequence (call it when the verifier has read exactly the events up to
// cp.Sequence): a truncated or rewritten history is named by aggregate.
func (v *StreamVerifier) CompareWith(cp *Checkpoint) []Problem {
	var out []Problem
	if v.rep.LastSequence < cp.Sequence {
		out = append(out, Problem{Sequence: v.rep.LastSequence + 1, Kind: ProblemCheckpoint,
			Reason: fmt.Sprintf("the stream ends at sequence %d but the checkpoint covers up to %d: the history was truncated", v.rep.LastSequence, cp.Sequence)})
	}
	heads := map[string]ChainHead{}
	for _, h := range v.Heads() {
		heads[h.Subject] = h
	}
	for _, want := range cp.Heads {
		got, ok := heads[want.Subject]
		if ok && got == want {
			continue
		}
		ref := v.refs[want.Subject]
		reason := fmt.Sprintf("the checkpoint has version %d (sequence %d, hash %.16s…) where the stream has ", want.Version, want.Sequence, want.Hash)
		if !ok {
			reason += "no event"
		} else {
			reason += fmt.Sprintf("version %d (sequence %d, hash %.16s…)", got.Version, got.Sequence, got.Hash)
		}
		out = append(out, Problem{Sequence: want.Sequence, Ref: ref, Version: want.Version, Kind: ProblemCheckpoint, Reason: want.Subject + ": " + reason})
	}
	if len(out) == 0 && HeadsDigest(v.Heads()) != cp.Digest {
		out = append(out, Problem{Sequence: cp.Sequence, Kind: ProblemCheckpoint, Reason: "the heads do not match the checkpoint's digest"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sequence < out[j].Sequence })
	v.rep.Problems = append(v.rep.Problems, out...)
	return out
}

// Finish compares the remaining checkpoints, reports the missing
// sequences (those the stream reports, and those between the ones read up
// to last, the stream's last sequence, that held nothing) and returns the
// report.
func (v *StreamVerifier) Finish(missing []uint64, last uint64) StreamReport {
	v.skipTo(last + 1)
	missing = append(slices.Clone(missing), v.gaps...)
	slices.Sort(missing)
	missing = slices.Compact(missing)
	v.checkpointsBefore(^uint64(0))
	if v.against != nil && !v.againstDone {
		v.againstDone = true
		v.CompareWith(v.against)
	}
	for _, seq := range missing {
		v.rep.Problems = append(v.rep.Problems, Problem{Sequence: seq, Kind: ProblemMissing, Reason: "the stream holds no record at this sequence: the server lost it", Resolved: v.resolved[seq]})
	}
	open := map[uint64]bool{}
	for _, c := range v.chains {
		for _, p := range c.Open {
			open[p.Sequence] = true
		}
	}
	for i := range v.rep.Problems {
		p := &v.rep.Problems[i]
		if (p.Kind != ProblemMissing && p.Kind != ProblemCheckpoint && !open[p.Sequence]) || v.resolved[p.Sequence] {
			p.Resolved = true
		}
	}
	sort.SliceStable(v.rep.Problems, func(i, j int) bool { return v.rep.Problems[i].Sequence < v.rep.Problems[j].Sequence })
	v.rep.Chains = len(v.chains)
	v.rep.Valid = true
	for i := range v.rep.Problems {
		if !v.rep.Problems[i].Resolved {
			v.rep.Valid = false
			p := v.rep.Problems[i]
			v.rep.FirstBroken = &p
			break
		}
	}
	if v.rep.Problems == nil {
		v.rep.Problems = []Problem{}
	}
	return v.rep
}

// VerifyOptions tune VerifyStore.
type VerifyOptions struct {
	// Against, if set, is an exported checkpoint (already checked with
	// Verify) that the history must still match.
	Against *Checkpoint
	// Legacy accepts unsigned events (written before events were signed)
	// with no checkpoint covering them: for the first checkpoint, written
	// when a ledger is upgraded.
	Legacy bool
	// Fast checks the signatures of the events after the newest signed
	// checkpoint only; those before are authenticated by recomputing
	// their chains up to its signed heads.
	Fast bool
}

// VerifyStore verifies every event of store (see StreamVerifier) with its
// checkpoints and missing sequences when it keeps them. It returns the
// verifier too, whose heads make the next checkpoint.
func VerifyStore(ctx context.Context, store Store, ring *KeyRing, opts VerifyOptions) (StreamReport, *StreamVerifier, error) {
	// The last sequence first: a checkpoint written after it is neither
	// read nor taken for a gap.
	last, err := store.LastSequence(ctx)
	if err != nil {
		return StreamReport{}, nil, err
	}
	var (
		cps     []StoredCheckpoint
		missing []uint64
	)
	if cp, ok := store.(Checkpointer); ok {
		if cps, err = cp.Checkpoints(ctx); err != nil {
			return StreamReport{}, nil, err
		}
		if missing, err = cp.Missing(ctx); err != nil {
			return StreamReport{}, nil, err
		}
	}
	v := NewStreamVerifier(ring, cps)
	v.against, v.fast = opts.Against, opts.Fast
	if opts.Legacy {
		v.covered = ^uint64(0)
	}
	feed := func(e Envelope) error { v.Add(&e); return nil }
	var flush func()
	if !opts.Fast {
		feed, flush = v.parallelSignatures()
	}
	if err := store.Events(ctx, 0, last, feed); err != nil {
		return StreamReport{}, nil, err
	}
	if flush != nil {
		flush()
	}
	v.readTo = last
	return v.Finish(missing, last), v, nil
}

// Extend lets a verifier that has read a whole stream (VerifyStore) follow
// it: it checks the events after those it read, up to sequence to, as Add
// does (hash, chain and signature: no checkpoint covers them yet), so that
// the next Checkpoint costs the new events alone instead of a read of the
// whole stream. The problems it meets join the report and Refused.
func (v *StreamVerifier) Extend(ctx context.Context, store Store, to uint64) error {
	if to <= v.readTo {
		return nil
	}
	if err := store.Events(ctx, v.readTo+1, to, func(e Envelope) error { v.Follow(&e); return nil }); err != nil {
		return err
	}
	v.readTo = to // past any checkpoint records at the range's end
	return nil
}

// Follow checks the next event of the stream after those the verifier has
// read (Extend checks a range of them with it): it keeps a verifier up
// with the stream event by event, from a subscription, so that the checks
// run as the events are written instead of in a burst per range. An event
// at or before ReadTo is ignored; events must come in stream order.
func (v *StreamVerifier) Follow(e *Envelope) {
	if e.Sequence <= v.readTo {
		return
	}
	// Nothing after what was read is legacy or covered by a checkpoint.
	v.covered = min(v.covered, v.readTo)
	v.Add(e)
	v.readTo = e.Sequence
}

// Checkpointed records that the stream holds a checkpoint at sequence at
// (one written from this verifier), so that its sequence is not taken for
// a record the stream lost.
func (v *StreamVerifier) Checkpointed(at uint64) { v.cpAt[at] = true }

// ReadTo is the stream sequence up to which the verifier has read.
func (v *StreamVerifier) ReadTo() uint64 { return v.readTo }

// sigChunk is how many events parallelSignatures verifies at a time.
const sigChunk = 1024

// parallelSignatures returns a feed that checks the signatures of chunks
// of events on every core (a check costs about 40 us; a million events
// would take most of a minute on one) and then adds them in order, and the
// flush of the last chunk.
func (v *StreamVerifier) parallelSignatures() (feed func(Envelope) error, flush func()) {
	workers := runtime.GOMAXPROCS(0)
	chunk := make([]Envelope, 0, sigChunk)
	ok := make([]bool, sigChunk)
	flush = func() {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(chunk); i += workers {
					ok[i] = chunk[i].Damage == "" && chunk[i].Signature != "" && v.ring != nil && v.ring.Verify(&chunk[i]) == nil
				}
			}(w)
		}
		wg.Wait()
		for i := range chunk {
			v.add(&chunk[i], ok[i])
		}
		chunk = chunk[:0]
	}
	feed = func(e Envelope) error {
		chunk = append(chunk, e)
		if len(chunk) == sigChunk {
			flush()
		}
		return nil
	}
	return feed, flush
}

// Refused returns the sequences whose events did not count (quarantined,
// resolved or not) and the missing ones, in order: a checkpoint lists
// them so that a replay refuses them too.
func (v *StreamVerifier) Refused() []uint64 {
	out := slices.Clone(v.carried)
	for _, p := range v.rep.Problems {
		if p.Kind != ProblemCheckpoint {
			out = append(out, p.Sequence)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Checkpoint returns a checkpoint of the verifier's heads as of the last
// event it read, signed by s.
func (v *StreamVerifier) Checkpoint(s Signer, now time.Time) Checkpoint {
	return NewCheckpoint(v.rep.LastSequence, v.Heads(), v.Refused(), now, s)
}
