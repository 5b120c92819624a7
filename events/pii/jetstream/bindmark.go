package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events/pii"
)

// The bindings of pooled keys are made durable behind the events, as
// events/jetstream/idsdurable.go does for the reservations of aggregate
// IDs. A binding (Take) is acknowledged before the event that names its
// key is published, but not synced; at most once every MarkEvery the
// marker fsyncs the key stream and then records on $PII.synced (rolled up:
// its last message only) the highest event sequence acknowledged before
// that fsync began. Every event at or below the mark has its binding on
// disk; a power cut can lose only the bindings of events above it, and
// StartPool takes those again from the events' sealed blocks (each names
// its subject key ID and its key's sequence) before the pool serves.
// Without them an erasure would not find the pooled key (PD-ERASE).

// markBindings moves the mark while the pool runs.
func (k *Keys) markBindings(p *pool) {
	defer p.wg.Done()
	t := time.NewTicker(p.cfg.MarkEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := k.mark(ctx, p)
		cancel()
		if err != nil {
			// The kernel may have dropped the pages it could not
			// write: the mark stays where it is until a restart,
			// which takes the bindings above it again.
			p.cfg.Logger.Error("the bindings of pooled personal-data keys could not be made durable; the next start takes them again from the events", "stream", KeysStream, "err", err)
			return
		}
	}
}

// mark makes the bindings durable and records the highest event sequence
// acknowledged before the fsync began (the mark itself goes to disk with
// the next one; a mark lost is an older one, which only rescans more).
func (k *Keys) mark(ctx context.Context, p *pool) error {
	upTo := p.cfg.Acked()
	if upTo <= p.marked {
		return nil
	}
	if err := syncStream(k.syncer, "the bindings of pooled keys", false); err != nil {
		return err
	}
	if err := k.writeMark(ctx, upTo); err != nil {
		return err
	}
	p.marked = upTo
	return nil
}

// writeMark records mark upTo on syncedSubject, rolling up the older ones.
func (k *Keys) writeMark(ctx context.Context, upTo uint64) error {
	_, err := k.js.PublishMsg(ctx, &nats.Msg{Subject: syncedSubject, Header: nats.Header{"Nats-Rollup": []string{"sub"}},
		Data: []byte(strconv.FormatUint(upTo, 10))})
	if err != nil {
		return fmt.Errorf("recording how far the bindings of pooled keys are on disk: %w", err)
	}
	return nil
}

// bindAfterCrash takes again the bindings of the pooled keys named by the
// events above the mark, then moves the mark to the stream's end and makes
// it durable. Without a mark (the first start with a pool: no event names
// a pooled key yet) it only sets it.
func (k *Keys) bindAfterCrash(ctx context.Context, p *pool) error {
	mark, found, err := k.readMark(ctx)
	if err != nil {
		return err
	}
	from := mark + 1
	if !found {
		from = 0 // nothing to scan: the scan only finds the end
	}
	seen := map[uint64]bool{}
	var n int
	last, err := p.cfg.Scan(ctx, from, func(b pii.Sealed) error {
		if from == 0 || b.KeySeq == 0 || seen[b.KeySeq] {
			return nil
		}
		seen[b.KeySeq] = true
		bound, err := k.bindAgain(ctx, b.KeyID, b.KeySeq)
		if bound {
			n++
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("taking the bindings of pooled keys again from the events: %w", err)
	}
	if found && last > mark {
		p.cfg.Logger.Info("bindings of pooled personal-data keys checked after the last mark", "stream", KeysStream, "from", mark+1, "to", last, "bound again", n)
	}
	if err := k.writeMark(ctx, last); err != nil {
		return err
	}
	if err := syncStream(k.syncer, "the bindings of pooled keys", false); err != nil {
		return err
	}
	p.marked = last
	return nil
}

// bindAgain publishes again the binding of pooled key seq to subject key
// id (a second copy of one that survived is harmless: an erasure destroys
// the key once); a key that is not pooled (a subject's own, on disk before
// its event) or is gone (erased) needs none. An erasure stored meanwhile
// destroys the key at once.
func (k *Keys) bindAgain(ctx context.Context, id string, seq uint64) (bool, error) {
	m, err := k.keys.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading key %d: %w", seq, err)
	}
	if m.Subject != poolSubject {
		return false, nil
	}
	if err := k.bind(ctx, id, seq); err != nil && !errors.Is(err, pii.ErrErased) {
		return false, err
	}
	return true, nil
}

// readMark returns the bindings' mark, if one was written.
func (k *Keys) readMark(ctx context.Context) (uint64, bool, error) {
	m, err := k.keys.GetLastMsgForSubject(ctx, syncedSubject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("reading the mark of the pooled keys' bindings: %w", err)
	}
	mark, err := strconv.ParseUint(string(m.Data), 10, 64)
	if err != nil {
		return 0, true, nil // unreadable: every event is scanned
	}
	return mark, true, nil
}
