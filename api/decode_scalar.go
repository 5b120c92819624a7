package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Bits of ownDecoding: how a type decodes itself.
const (
	ownJSON = 1 << iota // it or its pointer has UnmarshalJSON
	ownText             // it or its pointer has UnmarshalText
)

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// decodingByType caches ownDecoding: decodeValue asks it of every value.
var decodingByType sync.Map // reflect.Type -> int

// ownDecoding reports whether t, or a pointer to it, decodes itself from
// JSON or from text.
func ownDecoding(t reflect.Type) int {
	if d, ok := decodingByType.Load(t); ok {
		return d.(int)
	}
	d := 0
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		d |= ownJSON
	}
	if t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		d |= ownText
	}
	decodingByType.Store(t, d)
	return d
}

// decodeScalar decodes the scalars of a command without encoding/json (a
// call costs a validity scan and reflection over again): a string without
// escapes, an integer, true or false, and a type's own UnmarshalJSON
// called as json.Unmarshal would call it. It reports false, leaving raw
// (valid JSON) to json.Unmarshal and its exact errors, for anything else:
// null, escapes, fractions or exponents, overflow, a type mismatch.
func decodeScalar(raw json.RawMessage, v reflect.Value) (bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] == 'n' {
		return false, nil
	}
	k := v.Kind()
	own := ownDecoding(v.Type())
	if own&ownJSON != 0 {
		if k == reflect.Pointer || k == reflect.Interface || k == reflect.Map {
			return false, nil
		}
		u, ok := v.Addr().Interface().(json.Unmarshaler)
		if !ok {
			return false, nil
		}
		return true, u.UnmarshalJSON(raw)
	}
	if own != 0 {
		return false, nil
	}
	switch k {
	case reflect.String:
		n := len(raw)
		if n < 2 || raw[0] != '"' || raw[n-1] != '"' || bytes.IndexByte(raw[1:n-1], '\\') >= 0 || !utf8.Valid(raw[1:n-1]) {
			// Escapes, and bytes that are not UTF-8 (encoding/json
			// replaces them with U+FFFD, as the stored event will
			// hold them), are left to json.Unmarshal.
			return false, nil
		}
		v.SetString(string(raw[1 : n-1]))
		return true, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false, nil
		}
		v.SetInt(n)
		return true, nil
	case reflect.Bool:
		switch string(raw) {
		case "true":
			v.SetBool(true)
			return true, nil
		case "false":
			v.SetBool(false)
			return true, nil
		}
	}
	return false, nil
}

// jsonString is json.Marshal of s without its reflection where s needs no
// escaping (the IDs of a URL path): the same bytes.
func jsonString(s string) json.RawMessage {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return b
		}
	}
	return json.RawMessage(`"` + s + `"`)
}
