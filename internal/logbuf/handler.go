package logbuf

import (
	"context"
	"log/slog"
)

// laterKey marks a context whose records may wait in the buffer.
type laterKey struct{}

// Later returns ctx marked so that a record logged with it may wait in a
// Writer's buffer (a routine line such as the access log's).
func Later(ctx context.Context) context.Context {
	return context.WithValue(ctx, laterKey{}, true)
}

// later tells whether ctx was marked by Later.
func later(ctx context.Context) bool {
	v, _ := ctx.Value(laterKey{}).(bool)
	return v
}

// Handler is a slog.Handler that writes through inner, whose output is w,
// and writes w's buffer out after every record that may not wait.
type Handler struct {
	inner slog.Handler
	w     *Writer
}

// NewHandler returns the Handler of inner, which writes to w.
func NewHandler(inner slog.Handler, w *Writer) *Handler {
	return &Handler{inner: inner, w: w}
}

// Enabled reports whether inner handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle writes r through inner and, unless ctx was marked by Later,
// writes the buffer out.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	err := h.inner.Handle(ctx, r)
	if ctx == nil || !later(ctx) {
		_ = h.w.Flush() // the writer keeps its first error; slog ignores it
	}
	return err
}

// WithAttrs returns the Handler of inner.WithAttrs(attrs).
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{inner: h.inner.WithAttrs(attrs), w: h.w}
}

// WithGroup returns the Handler of inner.WithGroup(name).
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name), w: h.w}
}
