package command

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// fingerprintBuf is one command's JSON and its encoder, reused: json.Marshal
// would copy the encoding out on every command.
type fingerprintBuf struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// fingerprintBufs holds the reusable buffers of Fingerprint.
var fingerprintBufs = sync.Pool{New: func() any {
	f := &fingerprintBuf{}
	f.enc = json.NewEncoder(&f.buf) // escapes HTML as json.Marshal does
	return f
}}

// Fingerprint identifies a command's type and content, so that a key reused
// for another command is recognised. The value is stored in events (their
// idempotency key, scope.fingerprint): it stays the SHA-256 of the type,
// target and effective time, each followed by a zero byte, then the
// command's json.Marshal bytes, then the reason and the precondition when
// given (added only then, so that earlier fingerprints stay the same).
func Fingerprint(req Request) (string, error) {
	f := fingerprintBufs.Get().(*fingerprintBuf)
	defer func() {
		if f.buf.Cap() <= 64<<10 {
			f.buf.Reset()
			fingerprintBufs.Put(f)
		}
	}()
	b := &f.buf
	b.WriteString(req.Command.CommandType())
	b.WriteByte(0)
	b.WriteString(req.Command.Target().String())
	b.WriteByte(0)
	b.WriteString(events.FormatTime(req.EffectiveAt))
	b.WriteByte(0)
	var out []byte
	written := false
	if a, ok := req.Command.(events.JSONAppender); ok {
		out, written = a.AppendJSON(b.AvailableBuffer())
	}
	if written {
		b.Write(out) // json.Marshal's bytes, written by the command itself
	} else if err := encodeCommand(f, req.Command); err != nil {
		return "", err
	}
	if req.Reason != "" {
		b.WriteString("\x00reason\x00")
		b.WriteString(req.Reason)
	}
	if req.IfMatch != nil {
		b.WriteString("\x00if-match\x00")
		b.Write(strconv.AppendUint(b.AvailableBuffer(), *req.IfMatch, 10))
	}
	s := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(s[:]), nil
}

// encodeCommand appends cmd's json.Marshal bytes to f's buffer.
func encodeCommand(f *fingerprintBuf, cmd any) error {
	if err := f.enc.Encode(cmd); err != nil {
		return apperr.Wrap(apperr.Internal, err, "internal error")
	}
	f.buf.Truncate(f.buf.Len() - 1) // Encode's newline, which json.Marshal has not
	return nil
}
