package sqlite

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/erasmus-ledger/grants/aggregates"
)

// flatDecoder reads the payload of a flat event type (a struct of texts,
// integers, flags and dates, like PaymentRecorded) without reflection per
// value: the fields are found once, from the type's json tags, and filled
// through their offsets. encoding/json spends 4-7 µs on such a payload,
// mostly in reflection and in aggregates.Date's UnmarshalJSON. Anything
// the fast path does not handle exactly as encoding/json would (a key
// matching a field only but for case, a value of an unexpected type, a
// malformed date, invalid UTF-8) makes it give up, and the caller decodes
// with encoding/json, which then gives the result or the error.
type flatDecoder struct {
	fields []flatField
}

// flatField is one field the fast path fills.
type flatField struct {
	name   string
	offset uintptr
	kind   flatKind
}

// flatKind is how a field's value is read.
type flatKind uint8

const (
	flatString flatKind = iota
	flatInt
	flatInt64
	flatBool
	flatDate
)

var (
	dateType          = reflect.TypeFor[aggregates.Date]()
	jsonUnmarshalType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// newFlatDecoder returns the fast decoder of struct type t, or nil if one
// of t's fields is of a kind it does not read (a slice, a nested struct,
// an embedded field, a type with its own unmarshalling, a ",string" tag).
func newFlatDecoder(t reflect.Type) *flatDecoder {
	if t.Kind() != reflect.Struct {
		return nil
	}
	d := &flatDecoder{}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		for _, o := range strings.Split(opts, ",") {
			if o != "" && o != "omitempty" && o != "omitzero" {
				return nil
			}
		}
		// encoding/json ignores both fields of a name given twice.
		if seen[name] {
			return nil
		}
		seen[name] = true
		field := flatField{name: name, offset: f.Offset}
		ft := f.Type
		switch {
		case ft == dateType:
			field.kind = flatDate
		case ft.Implements(jsonUnmarshalType) || reflect.PointerTo(ft).Implements(jsonUnmarshalType) ||
			ft.Implements(textUnmarshalType) || reflect.PointerTo(ft).Implements(textUnmarshalType):
			return nil
		case ft.Kind() == reflect.String:
			field.kind = flatString
		case ft.Kind() == reflect.Int:
			field.kind = flatInt
		case ft.Kind() == reflect.Int64:
			field.kind = flatInt64
		case ft.Kind() == reflect.Bool:
			field.kind = flatBool
		default:
			return nil
		}
		d.fields = append(d.fields, field)
	}
	return d
}

// decode fills the struct at p (zero on entry) from b, or returns errFast
// (p may then be partly filled). Its strings are copies: the handlers of
// these events may keep them.
func (d *flatDecoder) decode(b []byte, p unsafe.Pointer) error {
	if !utf8.Valid(b) {
		return errFast
	}
	r := jreader{b: b}
	if r.peek() != '{' {
		// Only an object fills the struct (null would leave it zero,
		// which encoding/json is left to say).
		return errFast
	}
	err := r.object(func(k []byte) error {
		f := d.field(k)
		if f == nil {
			for i := range d.fields {
				if bytes.EqualFold(k, []byte(d.fields[i].name)) {
					return errFast
				}
			}
			return r.skip(0)
		}
		at := unsafe.Add(p, f.offset)
		if f.kind == flatDate {
			return r.date((*aggregates.Date)(at))
		}
		// Like encoding/json, null leaves a text, number or flag as it was.
		var err error
		switch f.kind {
		case flatString:
			p := (*string)(at)
			if err = r.strTo(p); err == nil {
				*p = strings.Clone(*p)
			}
		case flatInt:
			err = intTo(&r, (*int)(at))
		case flatInt64:
			err = intTo(&r, (*int64)(at))
		case flatBool:
			err = r.boolTo((*bool)(at))
		}
		return err
	})
	if err != nil {
		return err
	}
	return r.end()
}

// field returns the field named k exactly, or nil.
func (d *flatDecoder) field(k []byte) *flatField {
	for i := range d.fields {
		if d.fields[i].name == string(k) {
			return &d.fields[i]
		}
	}
	return nil
}

// date reads a date as aggregates.Date's UnmarshalJSON does: null and ""
// are the zero date, anything but a YYYY-MM-DD calendar date is left to
// encoding/json to report.
func (r *jreader) date(d *aggregates.Date) error {
	if r.null() {
		*d = aggregates.Date{}
		return nil
	}
	if r.peek() != '"' {
		return errFast
	}
	s, err := r.str()
	if err != nil {
		return err
	}
	if s == "" {
		*d = aggregates.Date{}
		return nil
	}
	v, err := aggregates.ParseDate(s)
	if err != nil {
		return errFast
	}
	*d = v
	return nil
}
