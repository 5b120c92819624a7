package main

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/internal/atomicfile"
)

// keptHeadsFile is the file in the data directory that keeps the heads of
// the last checkpoint this instance signed.
const keptHeadsFile = "checkpoint-heads.gob"

// keptHeads is what an instance keeps of a checkpoint it signed: a signed
// checkpoint stores the digest of the chains' heads, not the heads (one per
// aggregate), and a verifier needs the heads to follow the stream from it
// (events.ResumeStreamVerifier). They are written after a whole-stream
// verification and after the last tail checkpoint of a clean stop, and
// read when grants serve starts, so that the restarted instance signs tail
// checkpoints at once instead of after its next whole-stream verification
// (a minute later, paced: a restart before it ends left every event since
// the previous checkpoint to be checked again by signature, issue 16's
// stall in the first seconds after a restart). The file needs no trust:
// the checkpoint's signature and digest are verified when it is read.
type keptHeads struct {
	// Checkpoint is the signed checkpoint, without its heads.
	Checkpoint events.Checkpoint
	// Heads are its heads.
	Heads []events.ChainHead
}

// writeKeptHeads replaces the file at path with cp, a checkpoint with its
// heads, atomically.
func writeKeptHeads(path string, cp events.Checkpoint) error {
	heads := cp.Heads
	cp.Heads = nil
	return atomicfile.Write(path, 0o600, func(w io.Writer) error {
		return gob.NewEncoder(w).Encode(keptHeads{Checkpoint: cp, Heads: heads})
	})
}

// readKeptHeads reads the file at path; os.ErrNotExist when there is none.
func readKeptHeads(path string) (keptHeads, error) {
	f, err := os.Open(path)
	if err != nil {
		return keptHeads{}, err
	}
	defer f.Close()
	var k keptHeads
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<16)).Decode(&k); err != nil {
		return keptHeads{}, fmt.Errorf("reading %s: %w", path, err)
	}
	return k, nil
}

// resumeFromKeptHeads returns a verifier following the stream from the
// checkpoint kept at path (events.ResumeStreamVerifier, which verifies its
// signature and heads), and the stream's newest checkpoint, the base of
// the tail checkpoints it signs; nil when there is nothing to resume from
// (no file, no stream checkpoint, or a file that does not verify, which is
// logged).
func resumeFromKeptHeads(ctx context.Context, sys *system, path string) (*events.StreamVerifier, events.StoredCheckpoint) {
	if path == "" {
		return nil, events.StoredCheckpoint{}
	}
	k, err := readKeptHeads(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			sys.log.Warn("checkpoints: the kept heads cannot be read; the tail checkpoints wait for the next verification of the stream", "err", err)
		}
		return nil, events.StoredCheckpoint{}
	}
	// The stream's newest checkpoint (one look-up by subject; reading
	// every checkpoint scans the stream, which holds its lock for seconds
	// on a large one and stalled the first requests after a restart). A
	// newer one than the kept checkpoint, written by another instance, is
	// compared as the verifier passes it; the refused sequences of any
	// before it are in it too.
	base, ok, err := sys.store.LatestCheckpoint(ctx)
	if err != nil || !ok {
		return nil, events.StoredCheckpoint{}
	}
	if base.Verify(sys.ring) != nil {
		// The stream's newest checkpoint is not the service's: the
		// whole-stream verification decides.
		return nil, events.StoredCheckpoint{}
	}
	v, err := events.ResumeStreamVerifier(sys.ring, &k.Checkpoint, k.Heads, []events.StoredCheckpoint{base})
	if err != nil {
		sys.log.Warn("checkpoints: the kept heads do not verify; the tail checkpoints wait for the next verification of the stream", "err", err)
		return nil, events.StoredCheckpoint{}
	}
	v.Checkpointed(base.At)
	return v, base
}
