package api

import (
	"encoding/json"
	"strings"
)

// addSchemaExamples gives every component of defs an example (the JSON
// Schema keyword examples): a command's sample body (api/examples.go) for
// the command's component, else a value built from the schema itself,
// with the examples, enums, ID patterns and formats of its properties.
// TestEverySchemaExampleIsValid checks each against its schema.
func addSchemaExamples(defs map[string]any) {
	for name, d := range defs {
		sc, ok := d.(map[string]any)
		if !ok {
			continue
		}
		if _, has := sc["examples"]; has {
			continue
		}
		var ex any
		if raw, ok := commandExamples[name]; ok {
			var v any
			if json.Unmarshal([]byte(raw), &v) == nil {
				ex = v
			}
		}
		if ex == nil {
			ex = sampleOf(sc, defs, 0)
		}
		if ex != nil {
			sc["examples"] = []any{ex}
		}
	}
}

// sampleOf builds a value that schema sc accepts (nil when it cannot):
// every property of an object, one item of an array.
func sampleOf(sc map[string]any, defs map[string]any, depth int) any {
	if ref, ok := sc["$ref"].(string); ok {
		target, ok := defs[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		if !ok || depth > 6 {
			return nil
		}
		return sampleOf(target, defs, depth+1)
	}
	if ex, ok := sc["examples"].([]any); ok && len(ex) > 0 {
		return ex[0]
	}
	switch e := sc["enum"].(type) {
	case []string:
		if len(e) > 0 {
			return e[0]
		}
	case []any:
		if len(e) > 0 {
			return e[0]
		}
	}
	switch sc["type"] {
	case "string":
		return sampleString(sc)
	case "integer":
		if m, ok := sc["minimum"]; ok {
			return m
		}
		return 1
	case "number":
		return 1.5
	case "boolean":
		return false
	case "array":
		items, _ := sc["items"].(map[string]any)
		if items == nil {
			return []any{}
		}
		if v := sampleOf(items, defs, depth+1); v != nil {
			return []any{v}
		}
		return []any{}
	case "object":
		props, _ := sc["properties"].(map[string]any)
		out := map[string]any{}
		for name, p := range props {
			if ps, ok := p.(map[string]any); ok {
				if v := sampleOf(ps, defs, depth+1); v != nil {
					out[name] = v
				}
			}
		}
		return out
	case nil:
		return map[string]any{} // any JSON value
	}
	return nil
}

// sampleString is a text of the string schema sc: its ID pattern's or
// its format's sample, else plain text.
func sampleString(sc map[string]any) string {
	switch sc["pattern"] {
	case oidPattern:
		return "E10012345"
	case tokenPattern, optionalTokenPattern:
		return "ID-1"
	}
	switch sc["format"] {
	case "date":
		return "2024-09-01"
	case "date-time":
		return "2024-09-01T10:00:00Z"
	case "email":
		return "ana@example.org"
	case "uuid":
		return "0190a5e2-5c1a-7b3e-9f10-2c4d5e6f7a8b"
	case "uri-reference":
		return "/v1/rules/KA122-MAX-MOB"
	}
	if sc["contentEncoding"] == "base64" {
		return ""
	}
	return "text"
}
