package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
)

// jsNoMessageFound is the JetStream API's error code for a message get that
// finds no message (JSNoMessageFoundErr); a stream that does not exist is
// another 404 (10059), an error, not a miss.
const jsNoMessageFound = 10037

// errLeaderNotFound is leaderGet's answer for a key with no live value.
var errLeaderNotFound = errors.New("no value for the key")

// leaderGet reads the last value of key in bucket from the stream's
// leader: the JetStream API's message get, not the direct get that
// jetstream.KeyValue.Get uses. On a cluster a direct get may be answered
// by a replica that has not applied the latest write yet, so a session
// created or a token issued through one grants serve instance would be
// missing for a moment on another one behind the same load balancer.
// ByHash and SessionStore.Get ask the leader when the direct get finds
// nothing, so a miss is only ever reported when the leader agrees (the
// leader answers a read of a write it acknowledged).
func leaderGet(ctx context.Context, nc *nats.Conn, bucket, key string) ([]byte, error) {
	if !validKey(key) {
		return nil, errLeaderNotFound // no such key can have been written
	}
	req, err := json.Marshal(struct {
		LastBySubject string `json:"last_by_subj"`
	}{"$KV." + bucket + "." + key})
	if err != nil {
		return nil, err
	}
	msg, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+bucket, req)
	if err != nil {
		return nil, fmt.Errorf("asking the leader of %s: %w", bucket, err)
	}
	var resp struct {
		Error *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
		Message *struct {
			Header []byte `json:"hdrs"`
			Data   []byte `json:"data"`
		} `json:"message"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, fmt.Errorf("decoding the answer of the leader of %s: %w", bucket, err)
	}
	switch {
	case resp.Error != nil && resp.Error.ErrCode == jsNoMessageFound:
		return nil, errLeaderNotFound
	case resp.Error != nil:
		return nil, fmt.Errorf("the leader of %s: %s (%d)", bucket, resp.Error.Description, resp.Error.Code)
	case resp.Message == nil:
		return nil, fmt.Errorf("the leader of %s answered no message", bucket)
	}
	if len(resp.Message.Header) > 0 {
		h, err := nats.DecodeHeadersMsg(resp.Message.Header)
		if err != nil {
			return nil, fmt.Errorf("decoding a header of %s: %w", bucket, err)
		}
		if op := h.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			return nil, errLeaderNotFound
		}
	}
	return resp.Message.Data, nil
}

// validKey tells whether key may name a value of a key-value bucket (the
// rule of nats.go's jetstream package): a subject of letters, digits and
// -/_=. that neither starts nor ends with a dot nor holds an empty token.
func validKey(key string) bool {
	if key == "" || key[0] == '.' || key[len(key)-1] == '.' || strings.Contains(key, "..") {
		return false
	}
	for _, r := range key {
		ok := r == '-' || r == '/' || r == '_' || r == '=' || r == '.' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}
