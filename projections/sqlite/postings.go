package sqlite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The audit postings (table audit_postings, migration 0005) list, for each
// organisation and each aggregate, the sequences of its events in
// audit_log, in chunks of postingChunk.

// Posting kinds: the values of audit_postings.kind.
const (
	postingOrg       = "org"
	postingAggregate = "aggregate"
)

// postingChunk is how many sequences one audit_postings row lists; the
// backfill of migration 0005 chunks the same way. A variable so that tests
// can make chunks small.
var postingChunk = 256

// postingKey identifies one posting list.
type postingKey struct {
	kind string // postingOrg or postingAggregate
	key  string
}

// postingTail is the last chunk of a posting list, the one events are
// appended to.
type postingTail struct {
	k           postingKey
	chunk       int64
	first, last int64
	n           int
	json        []byte // "[1,2,3" without the closing bracket; empty when n is 0
	dirty       bool
}

// text returns the chunk's sequences as stored: a JSON array.
func (t *postingTail) text() string {
	if t.n == 0 {
		return "[]"
	}
	return string(t.json) + "]"
}

// add appends seq to the tail.
func (t *postingTail) add(seq int64) {
	if t.n == 0 {
		t.first = seq
		t.json = append(t.json[:0], '[')
	} else {
		t.json = append(t.json, ',')
	}
	t.json = strconv.AppendInt(t.json, seq, 10)
	t.last = seq
	t.n++
	t.dirty = true
}

// post appends seq to the posting lists of the event's organisation and
// aggregate.
func (a *applier) post(org, aggregateID string, seq int64) error {
	if err := a.postTo(&a.postOrg, postingOrg, org, seq); err != nil {
		return err
	}
	return a.postTo(&a.postAgg, postingAggregate, aggregateID, seq)
}

// postingTails are the cached tails of the posting lists of one kind, and
// the last one used (the events of a command share their aggregate).
type postingTails struct {
	m    map[string]*postingTail
	last *postingTail
}

// postTo appends seq to one posting list. A full chunk is written at once
// and the list goes on in a new chunk; the other changed tails are written
// by flushPostings.
func (a *applier) postTo(ts *postingTails, kind, key string, seq int64) error {
	t := ts.last
	if t == nil || t.k.key != key {
		var err error
		if t, err = a.postingTail(ts, kind, key); err != nil {
			return err
		}
		ts.last = t
	}
	if t.n > 0 && seq <= t.last {
		return fmt.Errorf("audit postings of %s %s: sequence %d after %d", kind, key, seq, t.last)
	}
	if t.n >= postingChunk {
		if err := a.writePosting(t); err != nil {
			return err
		}
		t.chunk, t.n, t.json = t.chunk+1, 0, t.json[:0]
	}
	if !t.dirty {
		a.dirtyPost = append(a.dirtyPost, t)
	}
	t.add(seq)
	return nil
}

// postingTail returns the cached tail of a posting list, loading it. A
// bulk load starts from an empty file, so its lists start empty.
func (a *applier) postingTail(ts *postingTails, kind, key string) (*postingTail, error) {
	if t, ok := ts.m[key]; ok {
		return t, nil
	}
	k := postingKey{kind, strings.Clone(key)} // key may alias an event's payload
	t := &postingTail{k: k}
	if !a.bulk {
		var seqs string
		var n int64
		err := a.st.postGet.queryRow([]any{&t.chunk, &t.first, &t.last, &n, &seqs}, k.kind, k.key)
		switch {
		case errors.Is(err, errNoRow):
		case err != nil:
			return nil, err
		default:
			t.n = int(n)
			if t.n > 0 {
				if !strings.HasSuffix(seqs, "]") {
					return nil, fmt.Errorf("audit postings of %s %s, chunk %d: %q is not a JSON array", k.kind, k.key, t.chunk, seqs)
				}
				t.json = append(t.json[:0], seqs[:len(seqs)-1]...)
			}
		}
	}
	ts.m[k.key] = t
	return t, nil
}

// writePosting writes a tail's chunk if it changed.
func (a *applier) writePosting(t *postingTail) error {
	if !t.dirty {
		return nil
	}
	if err := a.st.postPut.exec(t.k.kind, t.k.key, t.chunk, t.first, t.last, int64(t.n), t.text()); err != nil {
		return err
	}
	t.dirty = false
	return nil
}

// maxCachedTails bounds the tails a live projector keeps between batches:
// past it, flushPostings forgets them all (they are read again when next
// needed), so that a long-running process does not keep the last chunk of
// every list it ever touched. A rebuild keeps them all until its end.
var maxCachedTails = 1 << 16

// flushPostings writes the changed tails.
func (a *applier) flushPostings() error {
	for _, t := range a.dirtyPost {
		if err := a.writePosting(t); err != nil {
			return err
		}
	}
	a.dirtyPost = a.dirtyPost[:0]
	if !a.bulk {
		for _, ts := range []*postingTails{&a.postOrg, &a.postAgg} {
			if len(ts.m) > maxCachedTails {
				clear(ts.m)
				ts.last = nil
			}
		}
	}
	return nil
}
