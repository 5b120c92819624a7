package sqlite

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

func TestZZDecode(t *testing.T) {
	dir := os.Getenv("ZZ_STORE")
	if dir == "" {
		t.Skip()
	}
	s := benchStore(t, dir)
	var envs []events.Envelope
	if err := s.Events(context.Background(), 1, 300000, func(e events.Envelope) error { envs = append(envs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	d := &decoder{reg: testRegistry, hs: handlers()}
	for round := 0; round < 5; round++ {
		start := time.Now()
		mob, n := time.Duration(0), 0
		for i := range envs {
			t0 := time.Now()
			if _, _, err := d.decode(&envs[i]); err != nil {
				t.Fatal(err)
			}
			if envs[i].Type == "MobilityReported" {
				mob += time.Since(t0)
				n++
			}
		}
		t.Logf("decode %d events: %s (%.0f ns/event); MobilityReported %d: %.0f ns each", len(envs), time.Since(start), float64(time.Since(start).Nanoseconds())/float64(len(envs)), n, float64(mob.Nanoseconds())/float64(n))
	}
}

func TestZZShow(t *testing.T) {
	s := benchStore(t, os.Getenv("ZZ_STORE"))
	s.Events(context.Background(), 1000, 3000, func(e events.Envelope) error {
		if e.Type == "MobilityReported" {
			t.Logf("%d %s", len(e.Payload), e.Payload)
			return errStop
		}
		return nil
	})
}

var errStop = context.Canceled
