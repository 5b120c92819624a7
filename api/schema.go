package api

import (
	"encoding"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode"
)

// schemaSet builds JSON Schemas (2020-12, as OpenAPI 3.1 uses) for Go
// values, following their json tags. Named struct types become components
// referenced by $ref, named as the domain reads (ReportMobility, not
// aggregates.ReportMobility); a name two packages share is told apart by
// schemaAliases or, failing that, the package.
type schemaSet struct {
	defs  map[string]any
	named map[reflect.Type]string
	taken map[string]reflect.Type
	// unbound lists, per request type, the JSON fields bound from the
	// URL: they are optional in the body.
	unbound map[reflect.Type]map[string]bool
	// prefixed lists the names made of a Go package's name and a type's
	// because another package took the type's name: a leak of Go into
	// the contract that schemaAliases should prevent (a test checks).
	prefixed []string
}

func newSchemaSet() *schemaSet {
	return &schemaSet{defs: map[string]any{}, named: map[reflect.Type]string{}, taken: map[string]reflect.Type{}, unbound: map[reflect.Type]map[string]bool{}}
}

// of returns the schema of the Go value v (empty for nil).
func (s *schemaSet) of(v any) map[string]any {
	if v == nil {
		return map[string]any{}
	}
	return s.ofType(reflect.TypeOf(v))
}

// request returns the schema of a request body v whose fields fromPath
// are taken from the URL, hence optional in the body.
func (s *schemaSet) request(v any, fromPath []string) map[string]any {
	t := reflect.TypeOf(v)
	if len(fromPath) > 0 {
		m := map[string]bool{}
		for _, f := range fromPath {
			m[f] = true
		}
		s.unbound[t] = m
	}
	return s.ofType(t)
}

var (
	timeType          = reflect.TypeOf(time.Time{})
	rawMessageType    = reflect.TypeOf(json.RawMessage{})
	jsonMarshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshalerType = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

func (s *schemaSet) ofType(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawMessageType:
		return map[string]any{"description": "any JSON value"}
	case t.Kind() != reflect.Interface && (t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)):
		sc := map[string]any{"type": "string"}
		if strings.HasSuffix(t.Name(), "Date") {
			sc["format"] = "date"
		}
		return sc
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
		sc := map[string]any{"type": "integer"}
		if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
			sc["minimum"] = 0
		}
		if t.Kind() == reflect.Int64 || t.Kind() == reflect.Uint64 {
			sc["format"] = "int64"
		}
		return sc
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": s.ofType(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.ofType(t.Elem())}
	case reflect.Struct:
		return s.structSchema(t)
	}
	return map[string]any{}
}

// structSchema describes a struct; a named struct is put in defs once and
// referenced.
func (s *schemaSet) structSchema(t reflect.Type) map[string]any {
	name := s.nameOf(t)
	if name != "" {
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if _, seen := s.defs[name]; seen {
			return ref
		}
		s.defs[name] = map[string]any{} // placeholder against recursion
	}
	props := map[string]any{}
	var required []string
	s.addFields(t, t, props, &required)
	sc := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		sort.Strings(required)
		sc["required"] = required
	}
	if d := schemaDescription(name, t); d != "" {
		sc["description"] = d
	}
	if name == "" {
		return sc
	}
	s.defs[name] = sc
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// addFields adds the JSON fields of struct t (embedded structs inlined);
// owner is the named type whose component they describe.
func (s *schemaSet) addFields(owner, t reflect.Type, props map[string]any, required *[]string) {
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
				s.addFields(owner, ft, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		sc := s.ofType(f.Type)
		annotate(sc, owner, name)
		describeField(sc, owner, t, f, name)
		always := fieldRequired(f, opts)
		props[name] = sc
		if always && !s.unbound[owner][name] && !optionalFields[owner.Name()+"."+name] {
			*required = append(*required, name)
		}
	}
}

// fieldRequired tells a field that is always present: no omitempty or
// omitzero, not a pointer, and not a flag whose absence means false. A
// slice or map without omitempty is required too: the answers always
// carry it (as [] or {}), and a request without it is refused by the
// contract checks of the tests unless the document says otherwise.
func fieldRequired(f reflect.StructField, opts string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			return false
		}
	}
	k := f.Type.Kind()
	return k != reflect.Pointer && k != reflect.Bool && k != reflect.Interface
}

// schemaAliases names the components whose Go name would be ambiguous
// or would not read as the domain.
var schemaAliases = map[string]string{
	"projections.GrantLine": "GrantLineView",
	"aggregates.Project":    "ProjectState", // the aggregate; ProjectStatus is the read model's answer
	"events.Ref":            "AggregateRef",
	"events.Head":           "AggregateHead",
	"events.Actor":          "Actor",
	"rates.Table":           "RatesTable",
	"rates.Band":            "TravelBand",
	"rates.Travel":          "TravelRates",
	"rates.Limits":          "RateLimits",
	"rates.Ukraine":         "UkraineRates",
	"events.Problem":        "ChainProblem", // api.Problem is the problem details of an answer
}

// nameOf is the component name of a named type: the type's own name as
// the domain reads, unless schemaAliases renames it or another package
// took the name first (then the package is its prefix).
func (s *schemaSet) nameOf(t reflect.Type) string {
	if n, ok := s.named[t]; ok {
		return n
	}
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
	if a, ok := schemaAliases[pkg+"."+n]; ok {
		n = a
	}
	if other, ok := s.taken[n]; ok && other != t {
		n = exportedName(pkg) + n
		s.prefixed = append(s.prefixed, n)
	}
	s.named[t], s.taken[n] = n, t
	return n
}

func exportedName(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
