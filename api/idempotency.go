package api

import (
	"encoding/json"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
)

// storedAnswer is the HTTP answer of a command: the first answer, which a
// retry with the same Idempotency-Key gets again (with Grants-Replayed).
type storedAnswer struct {
	Status   int             `json:"status"`
	Body     json.RawMessage `json:"body"`
	Version  uint64          `json:"version"`
	Sequence uint64          `json:"sequence"`
	Location string          `json:"location,omitempty"`
	// buf, when set, is the recycled buffer Body was rendered into
	// (answerBufs), handed back by release.
	buf *[]byte
}

// answerBufs recycles the buffers command answers are rendered into: an
// answer is written to the connection (copied into its buffer, or sent)
// before its handler returns, so that its buffer can render the next one.
// A report's answer is about 2 KB, some 4 % of what a report allocated,
// and each allocation brings the next collection nearer (issue 16).
var answerBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxRecycledAnswer bounds the buffers kept for reuse: a rare large
// answer (a command with many events) is left to the collector.
const maxRecycledAnswer = 64 << 10

// release hands a's buffer back for the next answer; a must not be used
// after.
func (a *storedAnswer) release() {
	if a.buf == nil {
		return
	}
	if cap(a.Body) <= maxRecycledAnswer {
		*a.buf = a.Body[:0]
		answerBufs.Put(a.buf)
	}
	a.buf, a.Body = nil, nil
}

// writeAnswer writes a command's answer with its consistency headers.
func writeAnswer(c echo.Context, a storedAnswer, replayed bool) error {
	h := c.Response().Header()
	h.Set("ETag", etag(a.Version))
	h.Set(HeaderSequence, strconv.FormatUint(a.Sequence, 10))
	if a.Location != "" {
		h.Set("Location", a.Location)
	}
	if replayed {
		h.Set(HeaderReplayed, "true")
	}
	return c.JSONBlob(a.Status, a.Body)
}
