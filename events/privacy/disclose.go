package privacy

import (
	"bytes"
	"encoding/json"
)

// SealedKey is the payload member of a sealed personal block (schema
// version 2); ClearKey is the member a disclosure puts in its place, and
// ErasedKey the one that says an erased subject's block stays closed.
const (
	SealedKey = "personal_sealed"
	ClearKey  = "personal"
	ErasedKey = "personal_erased"
)

// OpenFunc opens one sealed personal block (the JSON value of a
// "personal_sealed" member): the clear JSON of the block, or erased true
// when the subject's personal data was erased (PD-ERASE; never opened).
type OpenFunc func(sealed []byte) (clear []byte, erased bool, err error)

var sealedNeedle = []byte(`"` + SealedKey + `"`)

// DisclosePersonal returns payload with every "personal_sealed" member
// replaced by "personal" and its clear JSON, or, for an erased subject,
// by "personal_erased":true: the form of a disclosed export
// (PD-DISCLOSE-REASON), made only where the keys are (grants serve). A
// payload without a sealed member is returned as it is. Like
// StripPersonal it scans the bytes once and copies the rest verbatim.
func DisclosePersonal(payload []byte, open OpenFunc) ([]byte, error) {
	if !bytes.Contains(payload, sealedNeedle) {
		return payload, nil
	}
	out := make([]byte, 0, len(payload)+64)
	i, n := 0, len(payload)
	for i < n {
		c := payload[i]
		if c != '"' {
			out = append(out, c)
			i++
			continue
		}
		end, ok := stringEnd(payload, i)
		if !ok {
			return nil, errBadJSON
		}
		j := skipSpace(payload, end)
		if j < n && payload[j] == ':' && string(payload[i:end]) == string(sealedNeedle) {
			vs := skipSpace(payload, j+1)
			vend, ok := valueEnd(payload, vs)
			if !ok {
				return nil, errBadJSON
			}
			clear, erased, err := open(payload[vs:vend])
			if err != nil {
				return nil, err
			}
			if erased {
				out = append(out, `"`+ErasedKey+`":true`...)
			} else {
				out = append(out, `"`+ClearKey+`":`...)
				out = append(out, clear...)
			}
			i = vend
			continue
		}
		out = append(out, payload[i:end]...)
		i = end
	}
	if !json.Valid(out) {
		return nil, errBadJSON
	}
	return out, nil
}

type badJSON struct{}

func (badJSON) Error() string { return "privacy: the payload does not scan as JSON" }

var errBadJSON error = badJSON{}
