package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
)

// backupStreams are the streams a backup holds: the events and the
// buckets that are not short-lived (tokens, personal-data keys, aggregate
// IDs). Sessions and leases are left out (and the idempotency records of
// earlier releases, no longer kept).
var backupStreams = []string{"GRANTS", "KV_GRANTS_TOKENS", "KV_GRANTS_PII_KEYS", piijs.KeysStream, "KV_GRANTS_IDS"}

// backupTimeout bounds each request and each chunk's answer of a backup
// or a restore.
const backupTimeout = 30 * time.Second

// snapshotStream writes stream's snapshot (the server's own format, with
// its configuration and state beside it) into dir as <stream>.snapshot
// and <stream>.json. nc must have the right to snapshot (the serve
// identity).
func snapshotStream(ctx context.Context, nc *nats.Conn, stream, dir string) (server.StreamState, error) {
	inbox := nc.NewInbox()
	chunks := make(chan *nats.Msg, 256)
	sub, err := nc.ChanSubscribe(inbox, chunks)
	if err != nil {
		return server.StreamState{}, err
	}
	defer sub.Unsubscribe()
	req, _ := json.Marshal(server.JSApiStreamSnapshotRequest{DeliverSubject: inbox, ChunkSize: 128 << 10})
	rctx, cancel := context.WithTimeout(ctx, backupTimeout)
	defer cancel()
	m, err := nc.RequestWithContext(rctx, fmt.Sprintf(server.JSApiStreamSnapshotT, stream), req)
	if err != nil {
		return server.StreamState{}, fmt.Errorf("snapshot of %s: %w", stream, err)
	}
	var resp server.JSApiStreamSnapshotResponse
	if err := json.Unmarshal(m.Data, &resp); err != nil {
		return server.StreamState{}, fmt.Errorf("snapshot of %s: %w", stream, err)
	}
	if resp.Error != nil {
		return server.StreamState{}, fmt.Errorf("snapshot of %s: %s", stream, resp.Error.Description)
	}
	if resp.Config == nil || resp.State == nil {
		return server.StreamState{}, fmt.Errorf("snapshot of %s: no configuration or state in the answer", stream)
	}
	f, err := os.OpenFile(filepath.Join(dir, stream+".snapshot"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return server.StreamState{}, err
	}
	defer f.Close()
	for {
		select {
		case <-ctx.Done():
			return server.StreamState{}, ctx.Err()
		case <-time.After(backupTimeout):
			return server.StreamState{}, fmt.Errorf("snapshot of %s: no chunk for %s", stream, backupTimeout)
		case c := <-chunks:
			if len(c.Data) == 0 {
				// The end: a status 204, or the server's error.
				if st := c.Header.Get("Status"); st != "" && st != "204" {
					return server.StreamState{}, fmt.Errorf("snapshot of %s ended with status %s %s", stream, st, c.Header.Get("Description"))
				}
				if err := f.Sync(); err != nil {
					return server.StreamState{}, err
				}
				meta, _ := json.MarshalIndent(server.JSApiStreamRestoreRequest{Config: *resp.Config, State: *resp.State}, "", "  ")
				return *resp.State, writeFileSync(filepath.Join(dir, stream+".json"), meta)
			}
			if _, err := f.Write(c.Data); err != nil {
				return server.StreamState{}, err
			}
			if c.Reply != "" {
				if err := nc.Publish(c.Reply, nil); err != nil {
					return server.StreamState{}, err
				}
			}
		}
	}
}

// restoreStream restores stream from dir (as snapshotStream wrote it);
// the stream must not exist.
func restoreStream(ctx context.Context, nc *nats.Conn, stream, dir string) error {
	meta, err := os.ReadFile(filepath.Join(dir, stream+".json"))
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, backupTimeout)
	defer cancel()
	m, err := nc.RequestWithContext(rctx, fmt.Sprintf(server.JSApiStreamRestoreT, stream), meta)
	if err != nil {
		return fmt.Errorf("restore of %s: %w", stream, err)
	}
	var resp server.JSApiStreamRestoreResponse
	if err := json.Unmarshal(m.Data, &resp); err != nil {
		return fmt.Errorf("restore of %s: %w", stream, err)
	}
	if resp.Error != nil {
		return fmt.Errorf("restore of %s: %s", stream, resp.Error.Description)
	}
	data, err := os.ReadFile(filepath.Join(dir, stream+".snapshot"))
	if err != nil {
		return err
	}
	const chunk = 128 << 10
	for off := 0; off < len(data); off += chunk {
		cctx, cancel := context.WithTimeout(ctx, backupTimeout)
		err := requestDelivered(cctx, nc, resp.DeliverSubject, data[off:min(off+chunk, len(data))])
		cancel()
		if err != nil {
			return fmt.Errorf("restore of %s at byte %d: %w", stream, off, err)
		}
	}
	// An empty message ends the transfer; the answer is the restored
	// stream, or why not.
	fctx, cancel2 := context.WithTimeout(ctx, 2*backupTimeout)
	defer cancel2()
	m, err = nc.RequestWithContext(fctx, resp.DeliverSubject, nil)
	if err != nil {
		return fmt.Errorf("restore of %s: %w", stream, err)
	}
	var done server.JSApiStreamCreateResponse
	if err := json.Unmarshal(m.Data, &done); err != nil {
		return fmt.Errorf("restore of %s: %w", stream, err)
	}
	if done.Error != nil {
		return fmt.Errorf("restore of %s: %s", stream, done.Error.Description)
	}
	return nil
}

// requestDelivered sends a request on subject until someone answers it or
// ctx ends. On a cluster the restore's subscription lives on the node
// that took the restore, and its interest reaches the node this client
// talks to a moment after the answer that names it: until then a request
// finds no responders and was received by nobody, so it is sent again.
func requestDelivered(ctx context.Context, nc *nats.Conn, subject string, data []byte) error {
	for {
		_, err := nc.RequestWithContext(ctx, subject, data)
		if !errors.Is(err, nats.ErrNoResponders) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// writeFileSync writes data to path (0600) and syncs it.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}
