package jetstream

import (
	"sync"

	"github.com/erasmus-ledger/grants/events"
)

// ownSize is how many of its latest appended events a store keeps for its
// own readers: the projector follows the stream tens of milliseconds
// behind the appends (a few hundred events at the highest rates), so it
// finds nearly all of them; older ones are decoded from the stream as
// before. The envelopes keep their payloads alive: about 1.5 MB at ~1.5 KB
// an event.
const ownSize = 1024

// ownEvents holds the envelopes this store appended last, by stream
// sequence, as the append built them. A reader of the stream that meets a
// sequence held here takes the envelope instead of decoding the stored
// message again (issue 16: decoding was ~1.6 % of grants serve's CPU under
// report load): the server acknowledged that sequence to this store's
// publish, so the message stored there is the one built from that
// envelope. Every event is still read from the stream, in sequence order,
// other instances' and older ones decoded as before: only the work of
// decoding one's own event again is skipped.
type ownEvents struct {
	mu   sync.Mutex
	ring [ownSize]events.Envelope // by Sequence % ownSize; Sequence 0: empty
}

// put keeps envs, each with its stream sequence set.
func (o *ownEvents) put(envs []events.Envelope) {
	o.mu.Lock()
	for i := range envs {
		o.ring[envs[i].Sequence%ownSize] = envs[i]
	}
	o.mu.Unlock()
}

// get returns the envelope appended at seq on subject, if it is still
// held. The envelope is shared: its payload must not be changed.
func (o *ownEvents) get(seq uint64, subject string) (events.Envelope, bool) {
	o.mu.Lock()
	e := o.ring[seq%ownSize]
	o.mu.Unlock()
	if seq == 0 || e.Sequence != seq || !isSubjectOf(subject, e.Ref) {
		return events.Envelope{}, false
	}
	return e, true
}
