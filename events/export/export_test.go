package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/export"
	"github.com/erasmus-ledger/grants/events/privacy"
)

// synthetic is a Source of n generated events (ours: the interface is
// this package's), each a mobility report with a personal block, the
// first recorded at t0 and each later one a minute after, taking effect
// an hour before it was recorded. sample, if set, is called every 1000
// events.
type synthetic struct {
	n      uint64
	t0     time.Time
	sample func()
}

func (s synthetic) Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	if from == 0 {
		from = 1
	}
	if to == 0 || to > s.n {
		to = s.n
	}
	for seq := from; seq <= to; seq++ {
		rec := s.t0.Add(time.Duration(seq) * time.Minute)
		payload := fmt.Sprintf(`{"project_id":"P-%d","mobility":{"mobility_id":"M%d","participant_id":"PART-%d","personal":{"first_name":"Aino","last_name":"Virtanen-%d","birth_date":"2009-03-0%d"},"activity":"SM-JOB-SHDW"}}`, seq%97, seq, seq, seq, seq%9+1)
		env := events.Envelope{ID: fmt.Sprintf("id-%d", seq), Sequence: seq, Version: seq, Type: "MobilityReported", SchemaVersion: 1,
			Ref:        events.Ref{Org: "E10000001", Kind: "project", ID: fmt.Sprintf("P-%d", seq%97)},
			RecordedAt: rec, OccurredAt: rec.Add(-time.Hour), Payload: []byte(payload),
			Actor: events.Actor{UserID: "Maija Meikäläinen/tok_1", Role: "beneficiary", Org: "E10000001"}, Reason: "asked by Maija"}
		if err := fn(env); err != nil {
			return err
		}
		if s.sample != nil && seq%1000 == 0 {
			s.sample()
		}
	}
	return nil
}

// TestEventExportFormat (PD-EXPORT-PSEUDONYMOUS): every line parses back
// as a CloudEvent with the stream's attributes, in order, without the
// personal block, the reason or the actor's name; with Personal they stay.
func TestEventExportFormat(t *testing.T) {
	src := synthetic{n: 50, t0: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	var buf bytes.Buffer
	st, err := export.Write(context.Background(), src, &buf, export.Options{})
	if err != nil || st.Events != 50 || st.First != 1 || st.Last != 50 {
		t.Fatalf("export: %+v, %v", st, err)
	}
	sc := bufio.NewScanner(&buf)
	n := 0
	var actors = map[string]bool{}
	for sc.Scan() {
		n++
		var ce map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ce); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		for _, attr := range []string{"specversion", "id", "source", "type", "subject", "time", "effectivetime", "datacontenttype", "aggregate", "aggregateversion", "sequence", "data"} {
			if _, ok := ce[attr]; !ok {
				t.Fatalf("line %d lacks %q: %s", n, attr, sc.Text())
			}
		}
		if ce["sequence"].(float64) != float64(n) || ce["redacted"] != "personal" {
			t.Fatalf("line %d: %s", n, sc.Text())
		}
		actors[ce["actoruser"].(string)] = true
		for _, leak := range []string{"Aino", "Virtanen", "2009-03", "Maija", "personal\":{"} {
			if strings.Contains(sc.Text(), leak) {
				t.Fatalf("PD-EXPORT-PSEUDONYMOUS: line %d holds %q: %s", n, leak, sc.Text())
			}
		}
		if d := ce["data"].(map[string]any)["mobility"].(map[string]any); d["participant_id"] == nil || d["activity"] != "SM-JOB-SHDW" {
			t.Fatalf("line %d lost the pseudonymous data: %v", n, d)
		}
	}
	if n != 50 || len(actors) != 1 {
		t.Fatalf("%d lines, actors %v: one person keeps one pseudonym", n, actors)
	}
	buf.Reset()
	if _, err := export.Write(context.Background(), src, &buf, export.Options{Personal: true, To: export.Bound{Sequence: 1}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Aino") || !strings.Contains(buf.String(), "Maija") || strings.Contains(buf.String(), "redacted") {
		t.Fatalf("a disclosed export lost the personal data: %s", buf.String())
	}
}

// TestEventExportClocks (ASOF-CLOCK): each event took effect an hour
// before it was recorded, so a range cut at a time holds one hour's more
// events on the effective clock; the recorded clock is the default.
func TestEventExportClocks(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	src := synthetic{n: 200, t0: t0}
	to := export.Bound{At: t0.Add(100 * time.Minute)}
	count := func(axis events.TimeAxis) uint64 {
		st, err := export.Write(context.Background(), src, io.Discard, export.Options{To: to, Axis: axis})
		if err != nil {
			t.Fatal(err)
		}
		return st.Events
	}
	if r, d, e := count(events.Recorded), count(""), count(events.Effective); r != 100 || d != 100 || e != 160 {
		t.Fatalf("up to minute 100: recorded %d, default %d, effective %d; want 100, 100, 160", r, d, e)
	}
	st, _ := export.Write(context.Background(), src, io.Discard, export.Options{To: export.Bound{At: t0.Add(-time.Hour)}})
	if st.Events != 0 {
		t.Fatalf("before the first event: %d", st.Events)
	}
}

// countingWriter counts the writes that reach it.
type countingWriter struct{ writes, bytes int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	w.bytes += len(p)
	return len(p), nil
}

// peakHeap exports n events and returns the peak HeapInuse sampled during
// the export.
func peakHeap(t *testing.T, n uint64) (uint64, *countingWriter) {
	runtime.GC()
	var peak uint64
	var ms runtime.MemStats
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	w := &countingWriter{}
	flushes := 0
	st, err := export.Write(context.Background(), synthetic{n: n, t0: time.Now(), sample: sample}, w,
		export.Options{Pseudonyms: privacy.NewPseudonymiser(), Flush: func() { flushes++ }})
	if err != nil || st.Events != n {
		t.Fatalf("export of %d: %+v %v", n, st, err)
	}
	if flushes < int(n/256) {
		t.Fatalf("export of %d flushed %d times: it does not stream", n, flushes)
	}
	return peak, w
}

// TestEventExportMemoryDoesNotGrow: the peak heap while exporting 10N
// events is that of N (within noise): an export streams, whatever the
// length of the log.
func TestEventExportMemoryDoesNotGrow(t *testing.T) {
	small, ws := peakHeap(t, 20_000)
	large, wl := peakHeap(t, 200_000)
	t.Logf("peak HeapInuse: %d KiB for 20 000 events (%d MiB written), %d KiB for 200 000 (%d MiB written)", small>>10, ws.bytes>>20, large>>10, wl.bytes>>20)
	if large > small+small/2+4<<20 {
		t.Fatalf("the heap grows with the export: %d KiB for 20 000 events, %d KiB for 200 000", small>>10, large>>10)
	}
	if wl.writes < 100 {
		t.Fatalf("%d writes for 200 000 events: the export is not flushed as it goes", wl.writes)
	}
}

// TestEventExportStopsWhenTheClientGoesAway: an export of an endless log
// to a reader that reads a little and goes away (its context cancelled, as
// an HTTP client that disconnects) ends promptly with the context's error.
func TestEventExportStopsWhenTheClientGoesAway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := export.Write(ctx, synthetic{n: 1 << 40, t0: time.Now()}, pw, export.Options{})
		pw.CloseWithError(err)
		done <- err
	}()
	buf := make([]byte, 4096)
	if _, err := io.ReadFull(pr, buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	go io.Copy(io.Discard, pr) // what is already on its way
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Fatalf("the export ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the export went on after its client went away")
	}
}
