package api

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// schemaOf returns a JSON Schema (2020-12, as OpenAPI 3.1 uses) for the Go
// value v, following its json tags. Named struct types become components
// referenced by $ref, collected in defs.
func schemaOf(v any, defs map[string]any) map[string]any {
	if v == nil {
		return map[string]any{}
	}
	return schemaOfType(reflect.TypeOf(v), defs)
}

var (
	timeType          = reflect.TypeOf(time.Time{})
	rawMessageType    = reflect.TypeOf(json.RawMessage{})
	jsonMarshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshalerType = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

func schemaOfType(t reflect.Type, defs map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawMessageType:
		return map[string]any{"description": "any JSON value"}
	case t.Kind() != reflect.Interface && (t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)):
		s := map[string]any{"type": "string"}
		if strings.HasSuffix(t.Name(), "Date") {
			s["format"] = "date"
		}
		return s
	case t.Kind() != reflect.Interface && (t.Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(jsonMarshalerType)):
		if strings.HasSuffix(t.Name(), "Date") {
			return map[string]any{"type": "string", "format": "date"}
		}
		return map[string]any{"description": t.String() + " (custom JSON form)"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := map[string]any{"type": "integer"}
		if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
			s["minimum"] = 0
		}
		return s
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": schemaOfType(t.Elem(), defs)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOfType(t.Elem(), defs)}
	case reflect.Struct:
		return structSchema(t, defs)
	}
	return map[string]any{}
}

// structSchema describes a struct; a named struct is put in defs once and
// referenced.
func structSchema(t reflect.Type, defs map[string]any) map[string]any {
	name := schemaName(t)
	if name != "" {
		if _, seen := defs[name]; seen {
			return map[string]any{"$ref": "#/components/schemas/" + name}
		}
		defs[name] = map[string]any{} // placeholder against recursion
	}
	props := map[string]any{}
	var required []string
	addFields(t, defs, props, &required)
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	// The domain's types are request bodies too, where fields bound from
	// the URL may be left out and Validate says what is required: only
	// the API's and the read models' answers list their fields as required.
	if len(required) > 0 && !strings.HasSuffix(t.PkgPath(), "/aggregates") {
		s["required"] = required
	}
	if name == "" {
		return s
	}
	defs[name] = s
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// addFields adds the JSON fields of struct t (embedded structs inlined).
func addFields(t reflect.Type, defs map[string]any, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(ft, defs, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOfType(f.Type, defs)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

// schemaName is the component name of a named type: package and type,
// e.g. "projections.ProjectView".
func schemaName(t reflect.Type) string {
	if t.Name() == "" {
		return ""
	}
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	n := t.Name()
	if i := strings.Index(n, "["); i >= 0 { // generic instantiation
		n = n[:i]
	}
	if pkg == "" {
		return n
	}
	return pkg + "." + n
}
