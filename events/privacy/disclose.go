package privacy

import (
	"bytes"
	"encoding/json"

	"github.com/erasmus-ledger/grants/events/pii"
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

var (
	sealedNeedle = []byte(`"` + SealedKey + `"`)
	clearNeedle  = []byte(`"` + ClearKey + `"`)
)

// plainBlock is the sealed form (pii.AlgPlainV1) of a block a version-1
// event holds in clear, so that open can tell whether its subject was
// erased: the data subject is the payload's "oid" and its mobility's
// "participant_id".
func plainBlock(payload, value []byte) ([]byte, bool) {
	var p struct {
		OID      string `json:"oid"`
		Mobility struct {
			ParticipantID string `json:"participant_id"`
		} `json:"mobility"`
	}
	if json.Unmarshal(payload, &p) != nil || p.OID == "" || p.Mobility.ParticipantID == "" {
		return nil, false
	}
	b, err := json.Marshal(pii.Sealed{Alg: pii.AlgPlainV1, Subject: pii.Subject{Org: p.OID, Participant: p.Mobility.ParticipantID}.String(), Plain: value})
	return b, err == nil
}

// DisclosePersonal returns payload with every "personal_sealed" member
// replaced by "personal" and its clear JSON, or, for an erased subject,
// by "personal_erased":true: the form of a disclosed export
// (PD-DISCLOSE-REASON), made only where the keys are (grants serve). A
// payload without a sealed member is returned as it is. Like
// StripPersonal it scans the bytes once and copies the rest verbatim.
// The clear "personal" block of a version-1 mobility event is kept,
// unless its subject was erased (asked of open as a pii.AlgPlainV1 block):
// then it becomes "personal_erased":true too.
func DisclosePersonal(payload []byte, open OpenFunc) ([]byte, error) {
	if !bytes.Contains(payload, sealedNeedle) && !bytes.Contains(payload, clearNeedle) {
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
		name := string(payload[i:end])
		if j < n && payload[j] == ':' && (name == string(sealedNeedle) || name == string(clearNeedle)) {
			vs := skipSpace(payload, j+1)
			vend, ok := valueEnd(payload, vs)
			if !ok {
				return nil, errBadJSON
			}
			block := payload[vs:vend]
			if name == string(clearNeedle) {
				if block, ok = plainBlock(payload, block); !ok {
					out = append(out, payload[i:vend]...) // no subject: not a mobility's block
					i = vend
					continue
				}
			}
			clear, erased, err := open(block)
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
