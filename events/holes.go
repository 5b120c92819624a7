package events

import (
	"fmt"
	"strings"
)

// Hole is a run of stream sequences From..To (inclusive) that the stream
// counts but does not hold: records the server dropped because they failed
// their checksum. The stream GRANTS denies deletes, so no other cause
// leaves one.
type Hole struct {
	From, To uint64
}

// String is "145" or "145-147".
func (h Hole) String() string {
	if h.From == h.To {
		return fmt.Sprint(h.From)
	}
	return fmt.Sprintf("%d-%d", h.From, h.To)
}

// Count is how many sequences the hole spans.
func (h Hole) Count() uint64 { return h.To - h.From + 1 }

// FormatHoles lists holes as "145, 270-272".
func FormatHoles(hs []Hole) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = h.String()
	}
	return strings.Join(parts, ", ")
}

// GapFinder finds the holes in a run of ascending sequences: See each
// sequence read, then End with the last sequence the run should reach.
type GapFinder struct {
	next  uint64
	holes []Hole
}

// NewGapFinder expects the first sequence to be from.
func NewGapFinder(from uint64) *GapFinder { return &GapFinder{next: max(from, 1)} }

// See records seq as read and returns the hole before it, if any.
func (g *GapFinder) See(seq uint64) (Hole, bool) {
	if seq < g.next {
		return Hole{}, false
	}
	var h Hole
	found := seq > g.next
	if found {
		h = Hole{From: g.next, To: seq - 1}
		g.holes = append(g.holes, h)
	}
	g.next = seq + 1
	return h, found
}

// End records that the run should have reached last and returns the hole
// at its end, if any.
func (g *GapFinder) End(last uint64) (Hole, bool) {
	if last < g.next {
		return Hole{}, false
	}
	h := Hole{From: g.next, To: last}
	g.holes = append(g.holes, h)
	g.next = last + 1
	return h, true
}

// Holes returns every hole found so far.
func (g *GapFinder) Holes() []Hole { return g.holes }
