package jetstream

import (
	"encoding/json"
	"testing"
)

// TestDirectRequestEncodesAsJSONMarshal pins the hand-written body of a
// direct get to json.Marshal's bytes for every kind of request the store
// makes, and for subjects that need escaping.
func TestDirectRequestEncodesAsJSONMarshal(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  directRequest
	}{
		{"empty", directRequest{}},
		{"by sequence", directRequest{Seq: 42}},
		{"last by subject", directRequest{LastBySubj: "grants.$checkpoint"}},
		{"last by wildcard subject", directRequest{LastBySubj: "grants.*.project.P-1"}},
		{"the office's reference scan", directRequest{Seq: 17, NextBySubj: "grants.national-office.>", Batch: directBatch}},
		{"org changes", directRequest{Seq: 1, MultiLast: []string{"grants.E10000001.>"}, Batch: 64}},
		{"several filters", directRequest{MultiLast: []string{"a.b", "c.>", "d&e<f"}}},
		{"quote falls back", directRequest{LastBySubj: `a"b`}},
		{"backslash falls back", directRequest{NextBySubj: `a\b`}},
		{"non-ASCII falls back", directRequest{MultiLast: []string{"päivä"}}},
		{"control falls back", directRequest{LastBySubj: "a\tb"}},
		{"largest numbers", directRequest{Seq: ^uint64(0), Batch: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.req.encode()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("encode() = %s, json.Marshal = %s", got, want)
			}
		})
	}
}

func BenchmarkDirectRequestEncode(b *testing.B) {
	req := directRequest{Seq: 17, NextBySubj: "grants.national-office.>", Batch: directBatch}
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := req.encode(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
