package jetstream

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"
)

// Status headers of the replies (the server's inlined status line, as
// nats.go exposes it).
const (
	statusHeader      = "Status"
	descriptionHeader = "Description"
)

// directBatch is how many messages one batched direct get asks for.
const directBatch = 256

// directGetter reads messages with the stream's direct get API (ADR-31):
// requests go to $JS.API.DIRECT.GET.<stream>, and the replies of every
// request come back on one wildcard inbox subscription, routed by the last
// token of the reply subject. No consumer is created.
type directGetter struct {
	nc      *nats.Conn
	subject string
	prefix  string
	sub     *nats.Subscription
	next    atomic.Uint64

	mu      sync.Mutex
	waiting map[string]chan *nats.Msg
}

// directRequest is the JSON body of a direct get (the server's
// JSApiMsgGetRequest).
type directRequest struct {
	Seq        uint64 `json:"seq,omitempty"`
	LastBySubj string `json:"last_by_subj,omitempty"`
	NextBySubj string `json:"next_by_subj,omitempty"`
	Batch      int    `json:"batch,omitempty"`
	// MultiLast asks for the last message of every subject matching
	// these filters (at or above Seq).
	MultiLast []string `json:"multi_last,omitempty"`
}

func newDirectGetter(nc *nats.Conn, stream string) (*directGetter, error) {
	g := &directGetter{
		nc:      nc,
		subject: "$JS.API.DIRECT.GET." + stream,
		prefix:  nc.NewRespInbox() + ".",
		waiting: map[string]chan *nats.Msg{},
	}
	sub, err := nc.Subscribe(g.prefix+"*", g.route)
	if err != nil {
		return nil, fmt.Errorf("subscribing to direct get replies: %w", err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return nil, err
	}
	g.sub = sub
	return g, nil
}

func (g *directGetter) close() error { return g.sub.Unsubscribe() }

// route hands a reply to the request waiting for it. Every waiting channel
// has room for all the replies of its request, so route never blocks; it
// sends under the lock, so that no reply reaches a channel once its
// request is done with it (the channel is then used again, see chans).
func (g *directGetter) route(m *nats.Msg) {
	token := m.Subject[len(g.prefix):]
	g.mu.Lock()
	if ch := g.waiting[token]; ch != nil {
		select {
		case ch <- m:
		default:
		}
	}
	g.mu.Unlock()
}

// batchChans keeps the reply channels of batched requests (room for
// directBatch+2 replies, 2 KiB each) for the next request: a command that
// reads the reference data makes one such request, and its channel was
// the largest allocation of the direct gets.
var batchChans = sync.Pool{New: func() any { return make(chan *nats.Msg, directBatch+2) }}

// request sends req and returns the channel its replies arrive on, and a
// function to call when done with it.
func (g *directGetter) request(req directRequest) (<-chan *nats.Msg, func(), error) {
	body, err := req.encode()
	if err != nil {
		return nil, nil, err
	}
	token := strconv.FormatUint(g.next.Add(1), 36)
	var ch chan *nats.Msg
	pooled := req.Batch == directBatch
	if pooled {
		ch = batchChans.Get().(chan *nats.Msg)
	} else {
		ch = make(chan *nats.Msg, req.Batch+2)
	}
	g.mu.Lock()
	g.waiting[token] = ch
	g.mu.Unlock()
	done := func() {
		g.mu.Lock()
		delete(g.waiting, token)
		g.mu.Unlock()
		if !pooled {
			return
		}
		// No reply is sent to ch any more (route sends under the lock).
		for len(ch) > 0 {
			<-ch
		}
		batchChans.Put(ch)
	}
	if err := g.nc.PublishRequest(g.subject, g.prefix+token, body); err != nil {
		done()
		return nil, nil, fmt.Errorf("direct get: %w", err)
	}
	return ch, done, nil
}

// one returns the single message req asks for (by sequence or last by
// subject); found is false if there is none.
func (g *directGetter) one(ctx context.Context, req directRequest) (m *nats.Msg, found bool, err error) {
	ch, done, err := g.request(req)
	if err != nil {
		return nil, false, err
	}
	defer done()
	select {
	case <-ctx.Done():
		return nil, false, fmt.Errorf("direct get: %w", ctx.Err())
	case m := <-ch:
		switch st := m.Header.Get(statusHeader); st {
		case "":
			return m, true, nil
		case "404":
			return nil, false, nil
		default:
			return nil, false, statusError(m)
		}
	}
}

// scan calls fn for every message on a subject matching filter with a
// sequence of at least from, in stream order, in batches.
func (g *directGetter) scan(ctx context.Context, filter string, from uint64, fn func(m *nats.Msg, seq uint64) error) error {
	if from == 0 {
		from = 1
	}
	for {
		last, more, err := g.batch(ctx, filter, from, fn)
		if err != nil || !more {
			return err
		}
		from = last + 1
	}
}

// batch runs one batched direct get. more tells that messages remain after
// last, the sequence of the last message delivered.
func (g *directGetter) batch(ctx context.Context, filter string, from uint64, fn func(*nats.Msg, uint64) error) (last uint64, more bool, err error) {
	ch, done, err := g.request(directRequest{Seq: from, NextBySubj: filter, Batch: directBatch})
	if err != nil {
		return 0, false, err
	}
	defer done()
	for {
		var m *nats.Msg
		select {
		case <-ctx.Done():
			return 0, false, fmt.Errorf("direct get: %w", ctx.Err())
		case m = <-ch:
		}
		switch st := m.Header.Get(statusHeader); st {
		case "":
		case "404":
			return 0, false, nil
		case "204":
			pending, _ := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
			return last, pending > 0 && last > 0, nil
		default:
			return 0, false, statusError(m)
		}
		seq, perr := strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
		if perr != nil {
			return 0, false, fmt.Errorf("direct get reply without a sequence: %w", perr)
		}
		last = seq
		if err := fn(m, seq); err != nil {
			return 0, false, err
		}
	}
}

func statusError(m *nats.Msg) error {
	return fmt.Errorf("direct get failed: status %s %s", m.Header.Get(statusHeader), m.Header.Get(descriptionHeader))
}
