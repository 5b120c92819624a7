package jspub_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/internal/jspub"
)

// startJS runs a real JetStream server (port -1) with the stream S on s.>
// and returns a connection to it and its JetStream context.
func startJS(t *testing.T) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10e9) {
		t.Fatal("the server did not start")
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}}); err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// TestPublishAnswersAsJetStreamPublishMsg publishes the same kinds of
// message through Publish and through nats.go's PublishMsg, alternately,
// and expects the same acknowledgements and errors: a stored message, a
// duplicate, a failed expectation (an APIError the callers match by its
// code), and a subject no stream takes.
func TestPublishAnswersAsJetStreamPublishMsg(t *testing.T) {
	nc, js := startJS(t)
	ctx := context.Background()
	msg := func(subject, id, expect string) *nats.Msg {
		m := nats.NewMsg(subject)
		m.Data = []byte("x")
		if id != "" {
			m.Header.Set(jetstream.MsgIDHeader, id)
		}
		if expect != "" {
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, expect)
		}
		return m
	}
	type answer struct {
		ack  jetstream.PubAck
		code jetstream.ErrorCode
		err  error
	}
	read := func(ack *jetstream.PubAck, err error) answer {
		var a answer
		if ack != nil {
			a.ack = *ack
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) {
			a.code = apiErr.ErrorCode
		} else {
			a.err = err
		}
		return a
	}
	for _, tc := range []struct {
		name string
		msg  func(round int) *nats.Msg
	}{
		{"stored", func(int) *nats.Msg { return msg("s.a", "", "") }},
		{"duplicate", func(int) *nats.Msg { return msg("s.b", "the-one", "") }},
		{"wrong last sequence", func(int) *nats.Msg { return msg("s.c", "", "999") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "duplicate" {
				// Stored once: both publishes below are its duplicates.
				if _, err := js.PublishMsg(ctx, tc.msg(0)); err != nil {
					t.Fatal(err)
				}
			}
			ours := read(jspub.Publish(ctx, nc, tc.msg(0)))
			theirs := read(js.PublishMsg(ctx, tc.msg(1)))
			if ours.code != theirs.code || (ours.err == nil) != (theirs.err == nil) {
				t.Fatalf("Publish answered %+v, PublishMsg %+v", ours, theirs)
			}
			if ours.ack.Stream != theirs.ack.Stream || ours.ack.Duplicate != theirs.ack.Duplicate {
				t.Fatalf("Publish acknowledged %+v, PublishMsg %+v", ours.ack, theirs.ack)
			}
			if tc.name == "duplicate" && (!ours.ack.Duplicate || ours.ack.Sequence != theirs.ack.Sequence) {
				t.Fatalf("the duplicate was acknowledged %+v and %+v", ours.ack, theirs.ack)
			}
			if tc.name == "wrong last sequence" && ours.code != jetstream.JSErrCodeStreamWrongLastSequence {
				t.Fatalf("a failed expectation answered %+v", ours)
			}
			if tc.name == "stored" && (ours.ack.Sequence == 0 || theirs.ack.Sequence != ours.ack.Sequence+1) {
				t.Fatalf("stored at %d then %d", ours.ack.Sequence, theirs.ack.Sequence)
			}
		})
	}
	if _, err := jspub.Publish(ctx, nc, msg("none.a", "", "")); !errors.Is(err, jetstream.ErrNoStreamResponse) {
		t.Fatalf("a subject no stream takes: %v, want ErrNoStreamResponse", err)
	}
}

// TestParseAckReadsWhatJSONReads: the hand-read acknowledgement is
// json.Unmarshal's reading of it, and whatever it does not read by hand
// goes through json.Unmarshal.
func TestParseAckReadsWhatJSONReads(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       jetstream.PubAck
		wantErr    bool
	}{
		{"stored", `{"stream":"GRANTS","seq":5}`, jetstream.PubAck{Stream: "GRANTS", Sequence: 5}, false},
		{"largest plain sequence", `{"stream":"S","seq":9999999999999999999}`, jetstream.PubAck{Stream: "S", Sequence: 9999999999999999999}, false},
		{"twenty digits go through json", `{"stream":"S","seq":18446744073709551615}`, jetstream.PubAck{Stream: "S", Sequence: 18446744073709551615}, false},
		{"duplicate", `{"stream":"S","seq":7,"duplicate": true}`, jetstream.PubAck{Stream: "S", Sequence: 7, Duplicate: true}, false},
		{"domain", `{"stream":"S","domain":"hub","seq":7}`, jetstream.PubAck{Stream: "S", Sequence: 7, Domain: "hub"}, false},
		{"escaped name", `{"stream":"S\u0041","seq":7}`, jetstream.PubAck{Stream: "SA", Sequence: 7}, false},
		{"error", `{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 3"}}`, jetstream.PubAck{}, true},
		{"no stream", `{"seq":7}`, jetstream.PubAck{}, true},
		{"not json", `seq 7`, jetstream.PubAck{}, true},
		{"sign", `{"stream":"S","seq":-7}`, jetstream.PubAck{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ack, err := jspub.ParseAck([]byte(tc.data))
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseAck(%s) = %v, %v", tc.data, ack, err)
			}
			if err == nil && *ack != tc.want {
				t.Fatalf("ParseAck(%s) = %+v, want %+v", tc.data, *ack, tc.want)
			}
		})
	}
	_, err := jspub.ParseAck([]byte(`{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 3"}}`))
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence {
		t.Fatalf("an error acknowledgement: %v, want an APIError with code %d", err, jetstream.JSErrCodeStreamWrongLastSequence)
	}
}

func BenchmarkParseAck(b *testing.B) {
	data := []byte(`{"stream":"GRANTS","seq":123456789}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jspub.ParseAck(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAckJSON is what nats.go does with the same bytes.
func BenchmarkParseAckJSON(b *testing.B) {
	data := []byte(`{"stream":"GRANTS","seq":123456789}`)
	b.ReportAllocs()
	for b.Loop() {
		var resp struct {
			Error *jetstream.APIError `json:"error,omitempty"`
			*jetstream.PubAck
		}
		if err := json.Unmarshal(data, &resp); err != nil {
			b.Fatal(err)
		}
	}
}
