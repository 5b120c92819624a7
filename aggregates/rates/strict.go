package rates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// dataErr is an invalid-rates-data error citing BUD-RATES-DATA.
func dataErr(field, format string, args ...any) *apperr.Error {
	return &apperr.Error{Code: apperr.Invalid, Rule: "BUD-RATES-DATA", Field: field, Message: fmt.Sprintf(format, args...)}
}

// objectKeys returns the keys of a JSON object.
func objectKeys(data []byte) ([]string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil, dataErr("", "rates data must be a JSON object: %v", syntaxMessage(err))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys, nil
}

func syntaxMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	if err == nil {
		return "got null"
	}
	return err.Error()
}

// decodeStrict decodes data into v, refusing unknown fields and wrong
// types with the path of the value at fault.
func decodeStrict(data []byte, v any) error {
	if err := checkFields(data, reflect.TypeOf(v), ""); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return dataErr(te.Field, "must be %s, not a JSON %s", kindName(te.Type), te.Value)
		}
		return dataErr("", "malformed rates data: %s", syntaxMessage(err))
	}
	if dec.More() {
		return dataErr("", "malformed rates data: more than one JSON value")
	}
	return nil
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.String()
}

// checkFields walks raw JSON against type t and reports the first object
// key t has no field for, by its path.
func checkFields(raw json.RawMessage, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return nil // the decoder reports the type error
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				names := make([]string, 0, len(fields))
				for n := range fields {
					names = append(names, n)
				}
				slices.Sort(names)
				return dataErr(join(path, k), "unknown field %q; allowed fields here: %s", k, strings.Join(names, ", "))
			}
			if err := checkFields(m[k], ft, join(path, k)); err != nil {
				return err
			}
		}
	case reflect.Int, reflect.Int64, reflect.String, reflect.Bool:
		if json.Unmarshal(raw, reflect.New(t).Interface()) != nil {
			return dataErr(path, "must be %s, not %s", kindName(t), clip(string(raw)))
		}
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil
		}
		for i, it := range items {
			if err := checkFields(it, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields maps the JSON names of t's fields (embedded structs
// promoted) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// clip shortens a raw JSON value for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
