package api

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// TestAccessLineAsLogAttrs: the access log's line, handed to the handler
// directly, is the line Logger.LogAttrs wrote, field for field, in JSON and
// in text (the time left out: it is the clock's).
func TestAccessLineAsLogAttrs(t *testing.T) {
	noTime := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	for _, d := range []time.Duration{0, 45 * time.Microsecond, 1234567 * time.Nanosecond, 12 * time.Millisecond, 3 * time.Hour} {
		for _, format := range []string{"json", "text"} {
			var got, want bytes.Buffer
			handler := func(b *bytes.Buffer) slog.Handler {
				if format == "json" {
					return slog.NewJSONHandler(b, noTime)
				}
				return slog.NewTextHandler(b, noTime)
			}
			writeAccessLine(handler(&got), "POST", "/v1/projects/:id/mobilities", 201, d, "req-1", 345)
			slog.New(handler(&want)).LogAttrs(context.Background(), slog.LevelInfo, "request",
				slog.String("method", "POST"), slog.String("route", "/v1/projects/:id/mobilities"), slog.Int("status", 201),
				slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.String("request_id", "req-1"), slog.Int64("bytes", 345))
			if got.String() != want.String() {
				t.Errorf("%s, %v: %q, want %q", format, d, got.String(), want.String())
			}
		}
	}
	var quiet bytes.Buffer
	writeAccessLine(slog.NewJSONHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelWarn}), "GET", "/healthz", 200, time.Millisecond, "r", 2)
	if quiet.Len() != 0 {
		t.Errorf("written below the handler's level: %q", quiet.String())
	}
}
