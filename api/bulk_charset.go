package api

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/erasmus-ledger/grants/events/apperr"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// Byte-order marks that announce the encoding of an upload.
var (
	bomUTF8    = []byte("\xef\xbb\xbf")
	bomUTF16LE = []byte("\xff\xfe")
	bomUTF16BE = []byte("\xfe\xff")
)

// csvUTF8 returns the body of a CSV upload as UTF-8, never mangled: a
// UTF-16 file with a byte-order mark (Excel's "Unicode text") and a file
// in the charset its Content-Type declares (charset=windows-1252 or
// ISO-8859-1, what Finnish Excel saves as plain "CSV") are decoded; a file
// that is not valid in the charset it declares (UTF-8 when it declares
// none), or declares a charset the ledger does not know, is refused with
// a clear error naming Content-Type.
func csvUTF8(contentType string, body []byte) ([]byte, error) {
	charset := ""
	if contentType != "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			charset = strings.ToLower(strings.TrimSpace(params["charset"]))
		}
	}
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(body, bomUTF16LE) || bytes.HasPrefix(body, bomUTF16BE):
		if charset != "" && !strings.HasPrefix(charset, "utf-16") {
			return nil, apperr.InvalidField("Content-Type", "the file starts with a UTF-16 byte-order mark but is declared as charset=%s; declare charset=utf-16 or save it as CSV UTF-8", charset)
		}
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case charset == "" || charset == "utf-8" || charset == "utf8" || charset == "us-ascii":
		body = bytes.TrimPrefix(body, bomUTF8)
		if !utf8.Valid(body) {
			return nil, apperr.InvalidField("Content-Type", "the file is not valid UTF-8 (first bad byte at offset %d); save it as \"CSV UTF-8\", or declare its charset, e.g. Content-Type: text/csv; charset=windows-1252", invalidUTF8At(body))
		}
		return body, nil
	case charset == "utf-16":
		enc = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	case charset == "utf-16le":
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case charset == "utf-16be":
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	default:
		e, err := htmlindex.Get(charset)
		if err != nil || e == encoding.Replacement {
			return nil, apperr.InvalidField("Content-Type", "the charset %q is not one the upload knows; send UTF-8, UTF-16 with a byte-order mark, or a charset such as windows-1252 or iso-8859-1", charset)
		}
		enc = e
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, apperr.InvalidField("Content-Type", "the file is not valid %s: %v", charsetName(charset), err)
	}
	out = bytes.TrimPrefix(out, bomUTF8)
	if !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, apperr.InvalidField("Content-Type", "the file is not valid %s (a byte sequence has no character in it); save it as \"CSV UTF-8\"", charsetName(charset))
	}
	return out, nil
}

// charsetName names a declared charset for a message.
func charsetName(charset string) string {
	if charset == "" {
		return "UTF-16"
	}
	return charset
}

// invalidUTF8At returns the offset of the first byte of b that is not valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}
