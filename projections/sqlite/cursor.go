package sqlite

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// Cursors are opaque to clients: base64url of "v1" and the last row's key
// parts joined by NUL bytes.
const cursorVersion = "v1"

// encodeCursor returns the cursor after a row with key parts.
func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorVersion + "\x00" + strings.Join(parts, "\x00")))
}

// decodeCursor returns the n key parts of cursor c ("" decodes to nil).
func decodeCursor(c string, n int) ([]string, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	parts := strings.Split(string(b), "\x00")
	if err != nil || len(parts) != n+1 || parts[0] != cursorVersion {
		return nil, apperr.InvalidField("cursor", "the cursor is not one this server returned; start again without a cursor")
	}
	return parts[1:], nil
}

// decodeSeqCursor returns the sequence a sequence cursor points after.
func decodeSeqCursor(c string) (uint64, error) {
	parts, err := decodeCursor(c, 1)
	if err != nil || parts == nil {
		return 0, err
	}
	n, perr := strconv.ParseUint(parts[0], 10, 64)
	if perr != nil {
		return 0, apperr.InvalidField("cursor", "the cursor is not one this server returned; start again without a cursor")
	}
	return n, nil
}
