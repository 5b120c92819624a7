package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/i18n"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// Nested fields of a command (partners, work packages, the Erasmus plan
// and its objectives, extra activities) are repeatable fieldsets, not JSON
// text: each row's inputs are named by their path in the command
// ("partners[0].name", "plan.objectives[1].indicators[0]"), as the
// domain names a field at fault, so a refusal lands next to its input.
// Without the script the form offers spareRows empty rows after the
// filled ones; the script adds and removes rows.

// spareRows is how many empty rows a repeatable fieldset offers.
const spareRows = 2

// maxRows bounds the rows read from a form (a form is not a bulk upload).
const maxRows = 200

var dateType = reflect.TypeOf(aggregates.Date{})

// nestedField describes the input (or fieldset) of a field of type t at
// path, named name in its parent comp, with its values from form.
func nestedField(comp, name, path string, t reflect.Type, form map[string]string) cmdField {
	cf := cmdField{Name: path, Label: name, Kind: "text", Value: form[path]}
	switch {
	case t == dateType:
		cf.Kind = "date"
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		cf.Kind = "number"
	case t.Kind() == reflect.Bool:
		cf.Kind = "checkbox"
	case t.Kind() == reflect.Struct:
		cf.Kind, cf.Value = "group", ""
		cf.Sub = structFields(t, path+".", "", form)
		return cf
	case t.Kind() == reflect.Slice:
		cf.Kind, cf.Value = "rows", ""
		n := rowsIn(form, path) + spareRows
		for i := 0; i < n; i++ {
			rp := path + "[" + strconv.Itoa(i) + "]"
			row := cmdRow{Index: i, Path: rp}
			if t.Elem().Kind() == reflect.Struct && t.Elem() != dateType {
				row.Fields = structFields(t.Elem(), rp+".", "", form)
			} else {
				item := nestedField(comp, name, rp, t.Elem(), form)
				item.Label, item.Item = name, i+1
				row.Fields = []cmdField{item}
			}
			cf.Rows = append(cf.Rows, row)
		}
		return cf
	case name == "reason" || name == "justification" || name == "summary" || name == "note" || name == "text":
		cf.Kind = "textarea"
	}
	if vals, ok := fieldValues[comp+"."+name]; ok && vals != nil {
		cf.Kind, cf.Options = "select", vals()
	} else if vals := fieldValues[name]; !ok && vals != nil && cf.Kind == "text" {
		cf.Kind, cf.Options = "select", vals()
	} else if name == "extra_activities" {
		cf.Kind, cf.Options = "select", fieldValues["activity"]()
	}
	return cf
}

// structFields lists the fields of struct t, each named prefix+name,
// leaving out fixed (the field the page's path gives).
func structFields(t reflect.Type, prefix, fixed string, form map[string]string) []cmdField {
	var out []cmdField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, structFields(f.Type, prefix, fixed, form)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || name == fixed {
			continue
		}
		out = append(out, nestedField(t.Name(), name, prefix+name, f.Type, form))
	}
	return out
}

// rowIndices are the row numbers of the form's inputs under path, sorted.
func rowIndices(form map[string]string, path string) []int {
	seen := map[int]bool{}
	for k := range form {
		rest, ok := strings.CutPrefix(k, path+"[")
		if !ok {
			continue
		}
		num, _, ok := strings.Cut(rest, "]")
		if n, err := strconv.Atoi(num); ok && err == nil && n >= 0 && n < maxRows {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// rowsIn is the number of rows the form filled under path (the highest
// row number with a value, plus one).
func rowsIn(form map[string]string, path string) int {
	n := 0
	for _, i := range rowIndices(form, path) {
		prefix := path + "[" + strconv.Itoa(i) + "]"
		for k, v := range form {
			if strings.HasPrefix(k, prefix) && strings.TrimSpace(v) != "" {
				n = max(n, i+1)
			}
		}
	}
	return n
}

// formReader reads a command's nested fields from a form. paths maps the
// path of a value in the command (rows counted without the empty ones)
// to the input it came from, so that a refusal finds its input.
type formReader struct {
	form  map[string]string
	paths map[string]string
}

// value reads the field of type t at the command path cp from the form
// inputs at fp; ok is false when the form gives nothing for it.
func (r *formReader) value(t reflect.Type, cp, fp string) (any, bool, error) {
	r.paths[cp] = fp
	raw := strings.TrimSpace(r.form[fp])
	switch {
	case t == dateType || t.Kind() == reflect.String:
		return raw, raw != "", nil
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		if raw == "" {
			return nil, false, nil
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, false, apperr.InvalidField(cp, "%s must be a whole number, not %q", cp, raw)
		}
		return n, true, nil
	case t.Kind() == reflect.Bool:
		return raw == "true" || raw == "on", raw != "", nil
	}
	if raw != "" { // a program may still send a nested field as JSON
		var v json.RawMessage
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return nil, false, apperr.InvalidField(cp, "%s must be JSON: %v", cp, err)
		}
		return v, true, nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, err := r.object(t, cp+".", fp+".", "")
		return obj, len(obj) > 0, err
	case reflect.Slice:
		var list []any
		for _, i := range rowIndices(r.form, fp) {
			v, ok, err := r.value(t.Elem(), cp+"["+strconv.Itoa(len(list))+"]", fp+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, false, err
			}
			if ok {
				list = append(list, v)
			}
		}
		return list, len(list) > 0, nil
	}
	return nil, false, nil
}

// object reads the fields of struct t (but fixed) into a JSON object.
func (r *formReader) object(t reflect.Type, cprefix, fprefix, fixed string) (map[string]any, error) {
	obj := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			sub, err := r.object(f.Type, cprefix, fprefix, fixed)
			if err != nil {
				return nil, err
			}
			for k, v := range sub {
				obj[k] = v
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || name == fixed {
			continue
		}
		v, ok, err := r.value(f.Type, cprefix+name, fprefix+name)
		if err != nil {
			return nil, err
		}
		if ok {
			obj[name] = v
		}
	}
	return obj, nil
}

// inputOf is the form input (or fieldset) of a command's field path, as
// near as the form has one: "partners[1].country" of the second filled
// row, or the fieldset "partners".
func (r *formReader) inputOf(path string) string {
	for p := path; p != ""; {
		if fp, ok := r.paths[p]; ok {
			return fp
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return topField(path)
}

// setError puts msg on the field named name (at any depth); false when
// the form has no such field.
func setError(fs []cmdField, name, msg string) bool {
	for i := range fs {
		if fs[i].Name == name {
			fs[i].Error = msg
			return true
		}
		if setError(fs[i].Sub, name, msg) {
			return true
		}
		for j := range fs[i].Rows {
			if setError(fs[i].Rows[j].Fields, name, msg) {
				return true
			}
		}
	}
	return false
}

// rowLegend names row i (from 0) of the fieldset of field in lang:
// "Partner 2".
func rowLegend(lang, field string, i int) string {
	pattern := i18n.T(lang, "row-"+field)
	if pattern == "row-"+field {
		pattern = i18n.T(lang, "row-n")
	}
	return fmt.Sprintf(pattern, i+1)
}
