// Package apperr is the application's one error type. Every layer returns
// *Error with a Code; the HTTP API maps codes to statuses in one place.
// Internal causes are kept in Err for the log and never shown to a client.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error.
type Code string

// The codes.
const (
	// Invalid: the input is malformed or a field is wrong (HTTP 400).
	Invalid Code = "invalid"
	// RuleViolation: a grant rule forbids the command (HTTP 422).
	RuleViolation Code = "rule-violation"
	// Conflict: the aggregate changed concurrently, or the state does not
	// allow the command now (HTTP 409).
	Conflict Code = "conflict"
	// PreconditionFailed: an If-Match version did not match (HTTP 412).
	PreconditionFailed Code = "precondition-failed"
	// NotFound: no such resource, or not visible to the caller (HTTP 404).
	NotFound Code = "not-found"
	// Unauthenticated: no or bad credentials (HTTP 401).
	Unauthenticated Code = "unauthenticated"
	// Forbidden: the caller's role may not do this (HTTP 403).
	Forbidden Code = "forbidden"
	// TooManyRequests: rate limited (HTTP 429).
	TooManyRequests Code = "too-many-requests"
	// Unavailable: a dependency is down or a wait timed out (HTTP 503).
	Unavailable Code = "unavailable"
	// Internal: a bug or an unexpected failure (HTTP 500).
	Internal Code = "internal"
)

// Error is the application error.
type Error struct {
	// Code classifies the error.
	Code Code
	// Rule is the rule ID of docs/rules.md that was violated, if any.
	Rule string
	// Field is the path of the input field at fault, if any (e.g. "mobilities[3].end_date").
	Field string
	// Message is the plain-English explanation shown to the user.
	Message string
	// Version is the aggregate's current version, for conflicts.
	Version uint64
	// Err is the internal cause, for logs only.
	Err error
}

// Error implements error. Rule violations read "rule ID: message".
func (e *Error) Error() string {
	switch {
	case e.Rule != "" && e.Field != "":
		return fmt.Sprintf("rule %s: %s (field %s)", e.Rule, e.Message, e.Field)
	case e.Rule != "":
		return fmt.Sprintf("rule %s: %s", e.Rule, e.Message)
	case e.Field != "":
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	case e.Message == "" && e.Err != nil:
		return string(e.Code) + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Rule returns a rule violation of rule id.
func Rule(id, format string, args ...any) *Error {
	return &Error{Code: RuleViolation, Rule: id, Message: fmt.Sprintf(format, args...)}
}

// RuleField returns a rule violation of rule id caused by one input field.
func RuleField(id, field, format string, args ...any) *Error {
	return &Error{Code: RuleViolation, Rule: id, Field: field, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns an invalid-input error for field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// New returns an error with a code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an internal error around cause; message is safe to show.
func Wrap(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// As returns err as *Error; any other error becomes Internal.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// CodeOf returns the code of err (Internal for foreign errors).
func CodeOf(err error) Code { return As(err).Code }

// WithField returns a copy of e whose Field is prefixed by prefix
// (e.g. "rows[3]" + "." + "end_date").
func (e *Error) WithField(prefix string) *Error {
	c := *e
	switch {
	case c.Field == "":
		c.Field = prefix
	case prefix != "":
		c.Field = prefix + "." + c.Field
	}
	return &c
}
