package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// The contract checks: every request the tests of this package and of
// api_test make, and every answer, is checked against the OpenAPI
// document by kin-openapi, so that the document cannot drift from the
// behaviour. The document is loaded and validated once per test binary.
var contract struct {
	once   sync.Once
	router routers.Router
	err    error
}

func init() {
	// The CSV upload and the web pages are checked as text: their
	// columns and markup are not part of the JSON contract.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.PlainBodyDecoder)
}

// contractRouter loads the document once, validates it and returns the
// router that finds a request's operation.
func contractRouter(t testing.TB, doc []byte) routers.Router {
	t.Helper()
	contract.once.Do(func() {
		loader := openapi3.NewLoader()
		d, err := loader.LoadFromData(doc)
		if err != nil {
			contract.err = err
			return
		}
		if err := d.Validate(context.Background()); err != nil {
			contract.err = err
			return
		}
		d.Servers = nil // match on the path alone, whatever the test server's host
		contract.router, contract.err = legacy.NewRouter(d)
	})
	if contract.err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", contract.err)
	}
	return contract.router
}

// CheckContract checks one exchange against the OpenAPI document of s: a
// request the document allows must get an answer the document declares,
// and a request it forbids must not succeed.
func CheckContract(t testing.TB, s *Server, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	router := contractRouter(t, s.openapi)
	req = req.Clone(context.Background())
	reqBody = withoutNulls(reqBody)
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	req.ContentLength = int64(len(reqBody))
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("contract: %s %s is not in the document but answered %d", req.Method, req.URL.Path, status)
		}
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: pathParams, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: authenticated, MultiError: true},
	}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if reqErr != nil && status < 400 {
		t.Errorf("contract: %s %s answered %d to a request the document forbids: %v", req.Method, req.URL.Path, status, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if status == http.StatusNotModified {
		out.Options.ExcludeResponseBody = true
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("contract: the answer %d to %s %s is not as documented: %v\nbody: %.400s", status, req.Method, req.URL.Path, err, body)
	}
}

// validateRequest checks a request alone against the document of s.
func validateRequest(t testing.TB, s *Server, req *http.Request, body []byte) error {
	t.Helper()
	router := contractRouter(t, s.openapi)
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		return err
	}
	return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: pathParams, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: authenticated, MultiError: true},
	})
}

// authenticated accepts a request that carries the credentials of the
// scheme: whether they are good is the server's business, checked by
// the tests themselves.
func authenticated(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "bearer":
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			return nil
		}
	case "session":
		if _, err := r.Cookie(sessionCookie); err == nil {
			return nil
		}
	}
	return errors.New("no credentials for " + in.SecuritySchemeName)
}

// withoutNulls drops the null members of a JSON request body: the
// decoder reads null as an absent member, which the document does not
// advertise. A body that is not a JSON object is returned as it is.
func withoutNulls(body []byte) []byte {
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil || v == nil {
		return body
	}
	out, err := json.Marshal(dropNulls(v))
	if err != nil {
		return body
	}
	return out
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, m := range x {
			if m == nil {
				delete(x, k)
				continue
			}
			x[k] = dropNulls(m)
		}
	case []any:
		for i := range x {
			x[i] = dropNulls(x[i])
		}
	}
	return v
}
