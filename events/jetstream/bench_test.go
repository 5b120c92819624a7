package jetstream

import (
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/internal/legacywire"
)

// BenchmarkDecodeMsg decodes one stored message into an envelope.
func BenchmarkDecodeMsg(b *testing.B) {
	envs, err := events.Build(benchRegistry(), nil, nil, benchRequest("D", 1, 1, events.Head{}, benchTime))
	if err != nil {
		b.Fatal(err)
	}
	h := legacywire.Header(&envs[0])
	subject := envs[0].Ref.Subject()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeMsg(subject, h, envs[0].Payload, 1); err != nil {
			b.Fatal(err)
		}
	}
}

var benchTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
