// Package jspub publishes one message to a JetStream stream and waits for
// its acknowledgement, as nats.go's jetstream.JetStream.PublishMsg does,
// reading the acknowledgement without encoding/json: a report publishes
// two messages (its participant's key and its event), and decoding their
// acknowledgements with json.Unmarshal was ~1.6 % of grants serve's CPU
// under the relaxed report benchmark.
package jspub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Timeout bounds a publish whose context has no deadline: nats.go's
// jetstream default API timeout.
const Timeout = 5 * time.Second

// Publish sends m and returns the stream's acknowledgement, with
// jetstream.PublishMsg's behaviour: a context without a deadline is bounded
// by Timeout; no responders (a stream leader being elected) is tried again
// jetstream.DefaultPubRetryAttempts times, jetstream.DefaultPubRetryWait
// apart, then reported as jetstream.ErrNoStreamResponse; an error the
// stream answers is a *jetstream.APIError (wrapped as nats.go wraps it).
func Publish(ctx context.Context, nc *nats.Conn, m *nats.Msg) (*jetstream.PubAck, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, Timeout)
		defer cancel()
	}
	resp, err := nc.RequestMsgWithContext(ctx, m)
	for r := 0; errors.Is(err, nats.ErrNoResponders) && r < jetstream.DefaultPubRetryAttempts; r++ {
		select {
		case <-ctx.Done():
		case <-time.After(jetstream.DefaultPubRetryWait):
		}
		resp, err = nc.RequestMsgWithContext(ctx, m)
	}
	if errors.Is(err, nats.ErrNoResponders) {
		return nil, jetstream.ErrNoStreamResponse
	}
	if err != nil {
		return nil, err
	}
	return ParseAck(resp.Data)
}

// ParseAck reads a publish acknowledgement: the usual
// {"stream":"<name>","seq":<n>} by hand, anything else (a duplicate, a
// domain, an error) with encoding/json as nats.go reads it.
func ParseAck(data []byte) (*jetstream.PubAck, error) {
	if ack, ok := plainAck(data); ok {
		return ack, nil
	}
	var resp struct {
		Error *jetstream.APIError `json:"error,omitempty"`
		*jetstream.PubAck
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		return nil, jetstream.ErrInvalidJSAck
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("nats: %w", resp.Error)
	}
	if resp.PubAck == nil || resp.PubAck.Stream == "" {
		return nil, jetstream.ErrInvalidJSAck
	}
	return resp.PubAck, nil
}

// plainAck reads exactly {"stream":"<name>","seq":<n>}, the name without
// escapes, as nats-server writes a stored message's acknowledgement.
func plainAck(data []byte) (*jetstream.PubAck, bool) {
	const head, mid = `{"stream":"`, `","seq":`
	if len(data) < len(head)+len(mid)+2 || string(data[:len(head)]) != head || data[len(data)-1] != '}' {
		return nil, false
	}
	rest := data[len(head) : len(data)-1]
	end := 0
	for end < len(rest) && rest[end] != '"' {
		if c := rest[end]; c == '\\' || c < 0x20 || c > 0x7e {
			return nil, false
		}
		end++
	}
	if end == 0 || len(rest)-end < len(mid)+1 || string(rest[end:end+len(mid)]) != mid {
		return nil, false
	}
	digits := rest[end+len(mid):]
	if len(digits) == 0 || len(digits) > 19 || (len(digits) > 1 && digits[0] == '0') {
		return nil, false
	}
	var seq uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return nil, false
		}
		seq = seq*10 + uint64(c-'0')
	}
	return &jetstream.PubAck{Stream: string(rest[:end]), Sequence: seq}, true
}
