package jetstream

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// readFence tells how far a bucket's stream reached at a moment after a
// caller asked: the leader's last sequence, read by one request that
// serves every caller waiting meanwhile. An instance sharing the token
// bucket with others (several grants serve behind a load balancer)
// trusts its watched tokens for a request only when the watch has
// applied the bucket up to a fence taken after the request arrived: a
// revocation acknowledged through any instance is then refused by every
// instance from the next request on, at the cost of one round trip to the
// leader shared by the requests that arrive together.
type readFence struct {
	nc      *nats.Conn
	subject string

	mu      sync.Mutex
	pending *fenceCall // the next query, not started yet
	running bool       // a goroutine runs the queries
}

// fenceCall is one query of the last sequence, shared by its waiters.
type fenceCall struct {
	done chan struct{}
	seq  uint64
	err  error
}

func newReadFence(nc *nats.Conn, bucket string) *readFence {
	return &readFence{nc: nc, subject: "$JS.API.STREAM.INFO.KV_" + bucket}
}

// wait returns the bucket's last sequence as the leader knew it at some
// moment after wait was called.
func (f *readFence) wait(ctx context.Context) (uint64, error) {
	f.mu.Lock()
	c := f.pending
	if c == nil {
		c = &fenceCall{done: make(chan struct{})}
		f.pending = c
		if !f.running {
			f.running = true
			go f.run()
		}
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.seq, c.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run starts the pending query, one at a time: callers that arrive while
// a query is in flight join the next one, which starts after they asked.
func (f *readFence) run() {
	for {
		f.mu.Lock()
		c := f.pending
		f.pending = nil
		if c == nil {
			f.running = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		c.seq, c.err = f.query()
		close(c.done)
	}
}

// fenceTimeout bounds one query of the leader.
const fenceTimeout = 2 * time.Second

// query asks the stream's leader for its last sequence.
func (f *readFence) query() (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fenceTimeout)
	defer cancel()
	msg, err := f.nc.RequestWithContext(ctx, f.subject, []byte(`{}`))
	if err != nil {
		return 0, fmt.Errorf("asking the leader for the token bucket's state: %w", err)
	}
	var resp struct {
		Error *struct {
			Description string `json:"description"`
		} `json:"error"`
		State struct {
			LastSeq uint64 `json:"last_seq"`
		} `json:"state"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return 0, fmt.Errorf("decoding the token bucket's state: %w", err)
	}
	if resp.Error != nil {
		return 0, fmt.Errorf("the token bucket's state: %s", resp.Error.Description)
	}
	return resp.State.LastSeq, nil
}
