package api

import (
	"encoding/json"
	"strconv"

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
