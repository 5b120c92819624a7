package api

import (
	"net/url"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// parseForm parses an application/x-www-form-urlencoded body.
func parseForm(body string) (map[string]string, error) {
	v, err := url.ParseQuery(body)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "the form cannot be read: %v", err)
	}
	out := map[string]string{}
	for k := range v {
		out[k] = v.Get(k)
	}
	return out, nil
}
