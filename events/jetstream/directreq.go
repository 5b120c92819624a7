package jetstream

import (
	"encoding/json"
	"strconv"

	"github.com/erasmus-ledger/grants/events"
)

// encode returns the request's JSON body, the bytes json.Marshal writes
// for it: written by hand for the requests a command makes (the office's
// reference scan on every report, a cold aggregate's read), where
// json.Marshal's reflection was ~0.7 % of grants serve's CPU under the
// relaxed report benchmark. A subject with a byte that needs more than
// encoding/json's escaping of '<', '>' and '&' goes through json.Marshal.
func (r directRequest) encode() ([]byte, error) {
	b := make([]byte, 0, 96)
	sep := byte('{')
	field := func(name string) {
		b = append(b, sep, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		sep = ','
	}
	if r.Seq != 0 {
		field("seq")
		b = strconv.AppendUint(b, r.Seq, 10)
	}
	var ok bool
	if r.LastBySubj != "" {
		field("last_by_subj")
		if b, ok = events.AppendPlainJSON(b, r.LastBySubj); !ok {
			return json.Marshal(r)
		}
	}
	if r.NextBySubj != "" {
		field("next_by_subj")
		if b, ok = events.AppendPlainJSON(b, r.NextBySubj); !ok {
			return json.Marshal(r)
		}
	}
	if r.Batch != 0 {
		field("batch")
		b = strconv.AppendInt(b, int64(r.Batch), 10)
	}
	if len(r.MultiLast) > 0 {
		field("multi_last")
		for i, s := range r.MultiLast {
			if i == 0 {
				b = append(b, '[')
			} else {
				b = append(b, ',')
			}
			if b, ok = events.AppendPlainJSON(b, s); !ok {
				return json.Marshal(r)
			}
		}
		b = append(b, ']')
	}
	if sep == '{' {
		b = append(b, '{')
	}
	return append(b, '}'), nil
}
