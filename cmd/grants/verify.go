package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

func init() {
	subcommands["verify"] = subcommand{summary: "verify every event of the stream: chains, signatures, missing sequences, checkpoints (--against FILE)", run: runVerify}
	subcommands["checkpoint"] = subcommand{summary: "write a signed checkpoint over the heads of every chain (create|export)", run: runCheckpoint}
}

// errVerifyFailed is returned when verification found a problem: exit
// status 1 after the report.
var errVerifyFailed = errors.New("verification failed")

func runVerify(args []string) error {
	fs := newFlagSet("verify")
	nf := addNATSFlags(fs)
	against := fs.String("against", "", "also check the history against this checkpoint file (grants checkpoint export): a truncated or rewritten history fails")
	keysFile := fs.String("keys", "", "trust the public keys of this file (grants keys export) instead of the signing directory's")
	fast := fs.Bool("fast", false, "check signatures only after the newest checkpoint; authenticate the events before it by their chains up to its signed heads")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.parse(args); err != nil {
		return err
	}
	log, err := newLogger("text", "warn")
	if err != nil {
		return err
	}
	ctx, sys, done, err := openOneOff(nf, log)
	if err != nil {
		return err
	}
	defer done()
	ring := sys.ring
	if *keysFile != "" {
		b, err := os.ReadFile(*keysFile)
		if err != nil {
			return usagef("--keys: %v", err)
		}
		if ring, err = keysRingFromJSON(b); err != nil {
			return usagef("--keys %s: %v", *keysFile, err)
		}
	}
	opts := events.VerifyOptions{Fast: *fast}
	if *against != "" {
		cp, err := readCheckpointFile(*against)
		if err != nil {
			return usagef("--against: %v", err)
		}
		if err := cp.Verify(ring); err != nil {
			return usagef("--against %s: %v", *against, err)
		}
		opts.Against = cp
	}
	rep, _, err := events.VerifyStore(ctx, sys.store, ring, opts)
	if err != nil {
		return err
	}
	printReport(os.Stdout, rep, *asJSON)
	if !rep.Valid {
		return errVerifyFailed
	}
	return nil
}

// printReport prints a verification report: a summary, the first broken
// event, then every problem.
func printReport(w io.Writer, rep events.StreamReport, asJSON bool) {
	if asJSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(w, string(b))
		return
	}
	fmt.Fprintf(w, "%d events in %d chains up to sequence %d, %d signatures, %d checkpoints\n",
		rep.Events, rep.Chains, rep.LastSequence, rep.Signatures, rep.Checkpoints)
	if rep.FirstBroken != nil {
		fmt.Fprintf(w, "BROKEN: first broken event: %s\n", rep.FirstBroken)
	}
	for _, p := range rep.Problems {
		state := "UNRESOLVED"
		if p.Resolved {
			state = "resolved"
		}
		fmt.Fprintf(w, "  %-10s %-10s %s\n", state, p.Kind, p)
	}
	if rep.Valid {
		fmt.Fprintln(w, "valid")
	}
}

func readCheckpointFile(path string) (*events.Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cp events.Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, fmt.Errorf("%s is not a checkpoint file: %w", path, err)
	}
	return &cp, nil
}

// checkpointUsage is the help of `grants checkpoint`.
const checkpointUsage = `usage:
  grants checkpoint create
  grants checkpoint export --out FILE

create verifies the stream (signatures after the newest checkpoint, chains
up to it) and writes a signed checkpoint over the heads of every chain into
the stream; export does the same and also writes the checkpoint with every
head to FILE, to keep elsewhere: grants verify --against FILE then catches a
history truncated or rewritten since. grants serve writes checkpoints by
itself (--checkpoint-interval).`

func runCheckpoint(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, checkpointUsage)
		if len(args) == 0 {
			return usagef("a checkpoint command is required: create or export")
		}
		return errHelp
	}
	cmd := args[0]
	if cmd != "create" && cmd != "export" {
		return usagef("unknown checkpoint command %q: want create or export", cmd)
	}
	fs := newFlagSet("checkpoint " + cmd)
	nf := addNATSFlags(fs)
	out := fs.String("out", "", "file to write the checkpoint with its heads to (export)")
	if err := fs.parse(args[1:]); err != nil {
		return err
	}
	if cmd == "export" && *out == "" {
		return usagef("export needs --out FILE")
	}
	log, err := newLogger("text", "warn")
	if err != nil {
		return err
	}
	ctx, sys, done, err := openOneOff(nf, log)
	if err != nil {
		return err
	}
	defer done()
	var (
		cp    events.Checkpoint
		valid bool
	)
	err = errNoCheckpointServe
	if sys.emb == nil {
		// A running grants serve writes it: this process's identity may
		// not publish into the stream.
		cp, valid, err = askCheckpoint(ctx, sys.nc)
	}
	if errors.Is(err, errNoCheckpointServe) {
		if sys.signer == nil {
			return fmt.Errorf("no signing key in %s: a checkpoint is signed by the service's key (--signing-dir)", signingDir(nf))
		}
		var rep events.StreamReport
		cp, rep, err = writeCheckpoint(ctx, sys, time.Now(), false)
		valid = rep.Valid
	}
	if err != nil {
		return err
	}
	fmt.Printf("checkpoint at sequence %d over %d chains, digest %s\n", cp.Sequence, cp.Chains, cp.Digest)
	if !valid {
		fmt.Printf("the stream has unresolved problems; the checkpoint leaves out %d refused or missing sequences\n", len(cp.Refused))
	}
	if *out != "" {
		b, err := json.MarshalIndent(cp, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Printf("written to %s\n", *out)
	}
	return nil
}

// writeCheckpoint verifies the stream (fast) and writes a checkpoint of
// its heads into it.
// With legacy, unsigned events count (the first checkpoint of a ledger
// written before events were signed).
func writeCheckpoint(ctx context.Context, sys *system, now time.Time, legacy bool) (events.Checkpoint, events.StreamReport, error) {
	return writeCheckpointOn(ctx, sys, sys.store, now, legacy)
}

// checkpointStore is an event store that keeps checkpoints.
type checkpointStore interface {
	events.Store
	events.Checkpointer
}

// writeCheckpointOn is writeCheckpoint reading the stream through store
// (the system's own, or paced: pacedStore).
func writeCheckpointOn(ctx context.Context, sys *system, store checkpointStore, now time.Time, legacy bool) (events.Checkpoint, events.StreamReport, error) {
	cp, rep, _, err := verifyAndCheckpoint(ctx, sys, store, now, legacy)
	return cp.Checkpoint, rep, err
}

// verifyAndCheckpoint is writeCheckpointOn, returning the checkpoint as
// stored and the verifier, which may follow the stream on
// (StreamVerifier.Extend) for its tail checkpoints.
func verifyAndCheckpoint(ctx context.Context, sys *system, store checkpointStore, now time.Time, legacy bool) (events.StoredCheckpoint, events.StreamReport, *events.StreamVerifier, error) {
	rep, v, err := events.VerifyStore(ctx, store, sys.ring, events.VerifyOptions{Fast: true, Legacy: legacy})
	if err != nil {
		return events.StoredCheckpoint{}, rep, nil, err
	}
	cp := v.Checkpoint(sys.signer, now)
	at, err := store.WriteCheckpoint(ctx, cp)
	if err != nil {
		return events.StoredCheckpoint{Checkpoint: cp}, rep, nil, err
	}
	v.Checkpointed(at)
	return events.StoredCheckpoint{Checkpoint: cp, At: at}, rep, v, nil
}
