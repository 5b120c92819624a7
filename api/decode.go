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
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/erasmus-ledger/grants/aggregates"
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
// into. Unknown and repeated fields are refused at every depth; pathFields
// (JSON field -> value taken from the URL) are set from the path and, if the
// body gives them too, must agree with it. Errors name the path of the value
// at fault, e.g. personal.birth_date or ukraine.documents[1].
func decodeStrict(body []byte, into any, pathFields map[string]string) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) || body[0] != '{' {
		// Not one JSON object: say what is wrong with it. (One object,
		// the common case, is split into its members once, below.)
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
	}
	members, err := objectMembers(body, "")
	if err != nil {
		return err
	}
	given := func(field string) (json.RawMessage, bool) {
		for _, m := range members {
			if m.name == field {
				return m.value, true
			}
		}
		return nil, false
	}
	for _, field := range sortedKeys(pathFields) {
		v := pathFields[field]
		if got, ok := given(field); ok {
			var s string
			if json.Unmarshal(got, &s) != nil || s != v {
				return apperr.InvalidField(field, "the body says %s but the URL says %q; leave it out of the body or make them agree", got, v)
			}
			continue
		}
		members = append(members, member{name: field, value: jsonString(v)})
	}
	return decodeMembers(members, reflect.ValueOf(into).Elem(), "")
}

// member is one name/value pair of a JSON object, in the order given.
type member struct {
	name  string
	value json.RawMessage
}

// objectMembers splits the JSON object raw into its members, refusing a
// name given twice (encoding/json would silently keep the last one).
func objectMembers(raw json.RawMessage, path string) ([]member, error) {
	if out, ok := splitObject(raw); ok {
		namePath := joinPath(path, "(name)") // once an object, not once a member
		for i, m := range out {
			if err := aggregates.CheckText(namePath, m.name, false); err != nil {
				return nil, err // a name that is not clean text would be echoed in messages
			}
			for _, o := range out[:i] {
				if o.name == m.name {
					return nil, apperr.InvalidField(joinPath(path, m.name), "the field %q is given twice; give it once", m.name)
				}
			}
		}
		return out, nil
	}
	return objectMembersSlow(raw, path)
}

// objectMembersSlow is objectMembers with encoding/json's tokenizer: any
// object, and the error for what is not one.
func objectMembersSlow(raw json.RawMessage, path string) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, fieldError(path, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, apperr.InvalidField(path, "expected an object, got JSON %s", jsonKind(tok))
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fieldError(path, err)
		}
		name, _ := tok.(string)
		if err := aggregates.CheckText(joinPath(path, "(name)"), name, false); err != nil {
			return nil, err // a name that is not clean text would be echoed in messages
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fieldError(joinPath(path, name), err)
		}
		if seen[name] {
			return nil, apperr.InvalidField(joinPath(path, name), "the field %q is given twice; give it once", name)
		}
		seen[name] = true
		out = append(out, member{name: name, value: v})
	}
	return out, nil
}

// decodeMembers decodes the members of an object into struct value v.
func decodeMembers(members []member, v reflect.Value, path string) error {
	fields := jsonFields(v.Type())
	for _, m := range members {
		idx, ok := fields[m.name]
		p := joinPath(path, m.name)
		if !ok {
			if path == "" {
				return apperr.InvalidField(p, "unknown field %q; see the OpenAPI document for the fields of this request", m.name)
			}
			return apperr.InvalidField(p, "unknown field %q", m.name)
		}
		if err := decodeValue(m.value, v.FieldByIndex(idx), p); err != nil {
			return err
		}
	}
	return nil
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// decodeValue decodes raw into the addressable value v, descending into
// objects, arrays and maps so that an error names the exact path.
func decodeValue(raw json.RawMessage, v reflect.Value, path string) error {
	t := v.Type()
	if ownDecoding(t)&ownJSON != 0 || string(bytes.TrimSpace(raw)) == "null" {
		return decodeLeaf(raw, v, path)
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return decodeValue(raw, v.Elem(), path)
	case reflect.Struct:
		members, err := objectMembers(raw, path)
		if err != nil {
			return err
		}
		return decodeMembers(members, v, path)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return decodeLeaf(raw, v, path)
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return fieldError(path, err)
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, it := range items {
			if err := decodeValue(it, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return decodeLeaf(raw, v, path)
		}
		members, err := objectMembers(raw, path)
		if err != nil {
			return err
		}
		m := reflect.MakeMapWithSize(t, len(members))
		for _, mb := range members {
			ev := reflect.New(t.Elem()).Elem()
			if err := decodeValue(mb.value, ev, joinPath(path, mb.name)); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(mb.name).Convert(t.Key()), ev)
		}
		v.Set(m)
		return nil
	}
	return decodeLeaf(raw, v, path)
}

// decodeLeaf decodes a scalar (or a type with its own UnmarshalJSON) and
// checks it as clean input: every string of every body (and so of every
// CSV cell, which becomes one) is clean text (INPUT-TEXT,
// INPUT-TEXT-LENGTH) and every date lies in 1900-2100 (INPUT-DATE-RANGE),
// whatever command it belongs to.
func decodeLeaf(raw json.RawMessage, v reflect.Value, path string) error {
	if err := checkRawText(raw, path); err != nil {
		return err
	}
	var err error
	if done, derr := decodeScalar(raw, v); done {
		err = derr
	} else if v.Kind() == reflect.Map {
		// A map keyed by numbers: its values' unknown fields are refused.
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		err = d.Decode(v.Addr().Interface())
	} else {
		// A scalar, null or a type with its own UnmarshalJSON (which the
		// decoder's options do not reach): one call, without a decoder
		// and its read buffer for each value (the largest allocation of
		// a command).
		err = json.Unmarshal(raw, v.Addr().Interface())
	}
	if err != nil {
		return fieldError(path, err)
	}
	switch x := v.Addr().Interface().(type) {
	case *string:
		return aggregates.CheckText(path, *x, aggregates.MultiLine(path))
	case *aggregates.Date:
		return aggregates.CheckDate(path, *x)
	}
	return nil
}

// checkRawText refuses a JSON value whose bytes are not UTF-8: encoding/json
// would silently turn them into U+FFFD.
func checkRawText(raw json.RawMessage, path string) error {
	if utf8.Valid(raw) {
		return nil
	}
	return aggregates.CheckText(path, string(raw), true)
}

// joinPath appends a member name to a field path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonKind names the JSON kind of a decoder token.
func jsonKind(tok json.Token) string {
	switch x := tok.(type) {
	case json.Delim:
		if x == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

// sortedKeys returns the keys of m in order, for deterministic errors.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fieldsByType caches jsonFields: a command type's fields are the same on
// every request.
var fieldsByType sync.Map // reflect.Type -> map[string][]int

// jsonFields maps the JSON names of struct t's fields to their indexes,
// embedded structs included. The map is shared: callers only read it.
func jsonFields(t reflect.Type) map[string][]int {
	if m, ok := fieldsByType.Load(t); ok {
		return m.(map[string][]int)
	}
	m := walkJSONFields(t)
	fieldsByType.Store(t, m)
	return m
}

// walkJSONFields computes jsonFields.
func walkJSONFields(t reflect.Type) map[string][]int {
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

// splitObject splits raw, valid JSON (every body is checked whole before
// it is split), into its members in one pass, without encoding/json's
// tokenizer and its allocations (the largest part of decoding a command).
// It reports false, for objectMembersSlow to answer, when raw is not an
// object of at most 64 members whose names need no unescaping.
func splitObject(raw []byte) ([]member, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	out := make([]member, 0, 8)
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return out, skipSpace(raw, i+1) == len(raw)
	}
	for len(out) < 64 {
		if i >= len(raw) || raw[i] != '"' {
			return nil, false
		}
		end := i + 1
		for end < len(raw) && raw[end] != '"' {
			if raw[end] == '\\' {
				return nil, false // an escaped name
			}
			end++
		}
		if end >= len(raw) {
			return nil, false
		}
		name := string(raw[i+1 : end])
		i = skipSpace(raw, end+1)
		if i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		i = skipSpace(raw, i+1)
		vend, ok := skipValue(raw, i)
		if !ok {
			return nil, false
		}
		out = append(out, member{name: name, value: json.RawMessage(raw[i:vend])})
		i = skipSpace(raw, vend)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return out, skipSpace(raw, i+1) == len(raw)
		default:
			return nil, false
		}
	}
	return nil, false
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value that starts at i in valid
// JSON b.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	depth := 0
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			j++
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(b) {
				return 0, false
			}
			if depth == 0 {
				return j + 1, true
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j, j > i // the end of a number, true, false or null
			}
			depth--
			if depth == 0 {
				return j + 1, true
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return j, j > i
			}
		}
	}
	if depth != 0 {
		return 0, false
	}
	return len(b), len(b) > i
}
