package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// readBody reads the request body, already bounded by limitBody. A body
// over the bound is 413, as Echo's own limit would answer.
func readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit))
	}
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "the request body could not be read")
	}
	return b, nil
}

// checkJSONType refuses a body declared as anything but JSON.
func checkJSONType(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return apperr.InvalidField("Content-Type", "the body must be application/json, not %q", ct)
	}
	return nil
}

// decodeStrict decodes the JSON object body into the struct pointed to by
// into. Unknown fields are refused; pathFields (JSON field -> value taken
// from the URL) are set from the path and, if the body gives them too,
// must agree with it. Errors name the field at fault.
func decodeStrict(body []byte, into any, pathFields map[string]string) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil {
		return malformed(err)
	}
	if obj == nil {
		return apperr.New(apperr.Invalid, "the body must be a JSON object, not null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.New(apperr.Invalid, "the body holds more than one JSON value")
	}
	for field, v := range pathFields {
		want, _ := json.Marshal(v)
		if got, ok := obj[field]; ok {
			var s string
			if json.Unmarshal(got, &s) != nil || s != v {
				return apperr.InvalidField(field, "the body says %s but the URL says %q; leave it out of the body or make them agree", got, v)
			}
		}
		obj[field] = want
	}
	rv := reflect.ValueOf(into).Elem()
	fields := jsonFields(rv.Type())
	for name, raw := range obj {
		idx, ok := fields[name]
		if !ok {
			return apperr.InvalidField(name, "unknown field %q; see the OpenAPI document for the fields of this request", name)
		}
		fv := rv.FieldByIndex(idx)
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(fv.Addr().Interface()); err != nil {
			return fieldError(name, err)
		}
	}
	return nil
}

// jsonFields maps the JSON names of struct t's fields to their indexes,
// embedded structs included.
func jsonFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int(nil), prefix...), i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			out[name] = idx
		}
	}
	walk(t, nil)
	return out
}

// malformed explains a body that is not a JSON object.
func malformed(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apperr.New(apperr.Invalid, "the body is not valid JSON (at byte %d: %v)", syn.Offset, syn)
	case errors.As(err, &typ):
		return apperr.New(apperr.Invalid, "the body must be a JSON object, not %s", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "the body ends before the JSON object does")
	}
	return apperr.New(apperr.Invalid, "the body is not a JSON object: %v", err)
}

// fieldError turns a decoding error of field name into an invalid-field
// error with the deepest path known.
func fieldError(name string, err error) error {
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ):
		path := name
		if typ.Field != "" {
			path = name + "." + typ.Field
		}
		return apperr.InvalidField(path, "expected %s, got JSON %s", kindName(typ.Type), typ.Value)
	case errors.As(err, &syn):
		return apperr.InvalidField(name, "not valid JSON: %v", syn)
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		f := strings.Trim(rest, `"`)
		return apperr.InvalidField(name+"."+f, "unknown field %q", f)
	}
	if ae := (*apperr.Error)(nil); errors.As(err, &ae) {
		return ae.WithField(name)
	}
	return apperr.InvalidField(name, "%s", strings.TrimPrefix(msg, "json: "))
}

// kindName names a Go type the way a JSON user thinks of it.
func kindName(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		if strings.HasSuffix(t.Name(), "Date") {
			return "a date YYYY-MM-DD"
		}
		return "an object"
	}
	return t.String()
}
