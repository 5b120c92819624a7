package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// idempotencyScope is the key of the HTTP answer kept for a client's
// Idempotency-Key: a hash of the user and the key, prefixed so that it
// never meets the command handler's own records.
func idempotencyScope(actor events.Actor, key string) string {
	return "http-" + command.ScopeKey(actor, key)
}

// recall returns the answer kept under scoped, if any. A key first used
// for another request is refused.
func (s *Server) recall(ctx context.Context, scoped, fp string) (events.IdempotencyRecord, storedAnswer, bool, error) {
	rec, ok, err := s.d.Idempotency.Get(ctx, scoped)
	if err != nil {
		return events.IdempotencyRecord{}, storedAnswer{}, false, apperr.Wrap(apperr.Unavailable, err, "the idempotency records are not reachable; retry shortly")
	}
	if !ok {
		return events.IdempotencyRecord{}, storedAnswer{}, false, nil
	}
	if rec.Fingerprint != fp {
		return events.IdempotencyRecord{}, storedAnswer{}, false, &apperr.Error{Code: apperr.RuleViolation, Field: HeaderIdempotencyKey,
			Message: "this idempotency key was already used for a different request; use a new key for a new command"}
	}
	var a storedAnswer
	if err := json.Unmarshal(rec.Response, &a); err != nil || a.Status == 0 {
		// A record without an answer (written by another client of the
		// store): let the command handler recognise the retry.
		return events.IdempotencyRecord{}, storedAnswer{}, false, nil
	}
	return rec, a, true, nil
}

// remember keeps the answer of a successful command under scoped. Only
// successes are kept: a refused command wrote nothing and is decided
// again on a retry.
func (s *Server) remember(c echo.Context, scoped, fp string, res command.Result, a storedAnswer) {
	rec := events.IdempotencyRecord{Fingerprint: fp, Ref: res.Ref, Version: res.Version}
	for _, e := range res.Events {
		rec.Sequences = append(rec.Sequences, e.Sequence)
	}
	rec.Response, _ = json.Marshal(a)
	if err := s.d.Idempotency.Put(c.Request().Context(), scoped, rec); err != nil {
		s.log.Warn("idempotency record not written; a retry is still recognised by the command handler",
			"ref", res.Ref.String(), "request_id", requestID(c), "err", err)
	}
}

// storedAnswer is the HTTP answer kept in an idempotency record.
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

// fingerprint identifies the request a key was first used for.
func fingerprint(c echo.Context, cmd aggregates.Command, reason string, at time.Time, match *uint64) string {
	b, _ := json.Marshal(cmd)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", c.Request().Method, c.Path(), cmd.CommandType(), reason)
	if !at.IsZero() {
		h.Write([]byte(events.FormatTime(at)))
	}
	if match != nil {
		fmt.Fprintf(h, "\x00%d", *match)
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}
