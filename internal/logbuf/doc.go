// Package logbuf lets a busy log write its routine lines in batches: a
// Writer keeps the lines in memory and writes them to the underlying
// writer (stderr) in one call a short moment later, or at once when the
// buffer is full, when a line that may not wait is logged, or at Close.
// A Handler wraps a slog.Handler over that Writer: a record logged with a
// context marked by Later (the access log's one line per request) may
// wait; any other record is written out at once, with every line before
// it, so that warnings, errors and the ready line are never delayed and
// the lines keep their order.
//
// Nothing is lost at a clean stop: the owner closes the Writer after the
// last line (grants serve does so after the HTTP server has shut down). A
// process killed outright loses at most the lines of the last delay.
package logbuf
