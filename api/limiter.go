package api

import (
	"strconv"
	"sync"

	"golang.org/x/time/rate"
)

// limiter keeps one token bucket per bearer token.
type limiter struct {
	mu      sync.Mutex
	perSec  rate.Limit
	burst   int
	buckets map[string]*rate.Limiter
}

func newLimiter(perSec float64, burst int) *limiter {
	if burst <= 0 {
		burst = int(perSec) + 1
	}
	return &limiter{perSec: rate.Limit(perSec), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow reports whether the token may make one more request now.
func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(l.perSec, l.burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	return b.Allow()
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
