package jetstream_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	njs "github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// closedServer is an embedded server with the service and reader
// identities, one event in its stream and one key in a bucket.
type closedServer struct {
	emb             *jetstream.Embedded
	service, reader string // seed files
}

func startClosed(t *testing.T) *closedServer {
	t.Helper()
	dir := t.TempDir()
	c := &closedServer{service: filepath.Join(dir, "service.nk"), reader: filepath.Join(dir, "reader.nk")}
	var ids []jetstream.Identity
	for _, id := range []struct {
		file  string
		perms func() *server.Permissions
	}{{c.service, jetstream.ServicePermissions}, {c.reader, jetstream.ReaderPermissions}} {
		kp, err := jetstream.LoadOrCreateSeed(id.file)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := kp.PublicKey()
		ids = append(ids, jetstream.Identity{Name: filepath.Base(id.file), PublicKey: pub, Permissions: id.perms()})
	}
	ctx := context.Background()
	emb, err := jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{StoreDir: filepath.Join(dir, "nats"), Port: -1, Identities: ids}, storetest.Registry(), jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	c.emb = emb
	ref := events.Ref{Org: "E10000001", Kind: "project", ID: "P1"}
	if _, err := emb.Store.Append(ctx, events.AppendRequest{Ref: ref, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "x"}}}}); err != nil {
		t.Fatal(err)
	}
	js, err := njs.New(emb.Conn)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.CreateKeyValue(ctx, njs.KeyValueConfig{Bucket: "GRANTS_TOKENS"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "k", []byte("secret-hash")); err != nil {
		t.Fatal(err)
	}
	return c
}

// identityConn is a connection as one identity, with the permission
// errors the server sends it.
type identityConn struct {
	nc   *nats.Conn
	errs chan error
}

func (c *closedServer) connect(t *testing.T, seed, inbox string) *identityConn {
	t.Helper()
	opt, err := nats.NkeyOptionFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	ic := &identityConn{errs: make(chan error, 100)}
	nc, err := nats.Connect(jetstream.ClientURL(c.emb.Server), opt, nats.CustomInboxPrefix(inbox),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { ic.errs <- err }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ic.nc = nc
	return ic
}

// denied publishes to subject (as a request) and waits for the server's
// permissions violation naming it.
func (ic *identityConn) denied(t *testing.T, subject string, data []byte) {
	t.Helper()
	if err := ic.nc.PublishRequest(subject, ic.nc.NewInbox(), data); err != nil {
		t.Fatal(err)
	}
	_ = ic.nc.Flush()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case err := <-ic.errs:
			if strings.Contains(err.Error(), "Permissions Violation for Publish to \""+subject+"\"") {
				return
			}
		case <-timeout:
			t.Fatalf("publishing to %s was not refused", subject)
		}
	}
}

// intact checks that the stream still holds its event and the bucket its key.
func (c *closedServer) intact(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	js, _ := njs.New(c.emb.Conn)
	s, err := js.Stream(ctx, jetstream.StreamName)
	if err != nil {
		t.Fatalf("stream %s: %v", jetstream.StreamName, err)
	}
	info, err := s.Info(ctx)
	if err != nil || info.State.Msgs != 1 {
		t.Fatalf("stream state %+v, %v: want its one event", info, err)
	}
	kv, err := js.KeyValue(ctx, "GRANTS_TOKENS")
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, "k")
	if err != nil || string(e.Value()) != "secret-hash" {
		t.Fatalf("token bucket changed: %v", err)
	}
	if st, err := kv.Status(ctx); err != nil || st.Values() != 1 {
		t.Fatalf("token bucket holds %d values (%v), want its one", st.Values(), err)
	}
}

func TestEmbeddedRefusesConnectionsWithoutAKnownIdentity(t *testing.T) {
	c := startClosed(t)
	url := jetstream.ClientURL(c.emb.Server)
	if nc, err := nats.Connect(url); err == nil {
		nc.Close()
		t.Fatal("an unauthenticated connection was accepted")
	} else if !strings.Contains(err.Error(), "Authorization Violation") {
		t.Fatalf("unauthenticated connection: %v, want an authorization violation", err)
	}
	stranger, _ := nkeys.CreateUser()
	pub, _ := stranger.PublicKey()
	if nc, err := nats.Connect(url, nats.Nkey(pub, stranger.Sign)); err == nil {
		nc.Close()
		t.Fatal("an unknown nkey was accepted")
	}
}

func TestIdentitySeedFilesAreOwnerOnly(t *testing.T) {
	c := startClosed(t)
	for _, f := range []string{c.service, c.reader} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %04o, want 0600", f, fi.Mode().Perm())
		}
	}
	if err := os.Chmod(c.reader, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := jetstream.LoadOrCreateSeed(c.reader); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a seed file others may read was accepted: %v", err)
	}
}

// TestHandedOutIdentitiesCannotRewriteHistory: neither the reader nor the
// service identity may publish events, delete or purge the stream, change
// its configuration, delete a message, or touch a key-value bucket.
func TestHandedOutIdentitiesCannotRewriteHistory(t *testing.T) {
	c := startClosed(t)
	s := jetstream.StreamName
	cases := []struct {
		rule, subject string
		data          string
	}{
		{"no event publish", "grants.E10000001.project.P1", `{}`},
		{"no stream delete", "$JS.API.STREAM.DELETE." + s, ""},
		{"no stream purge", "$JS.API.STREAM.PURGE." + s, ""},
		{"no stream update", "$JS.API.STREAM.UPDATE." + s, `{"name":"GRANTS","subjects":["grants.>"],"deny_delete":false}`},
		{"no message delete", "$JS.API.STREAM.MSG.DELETE." + s, `{"seq":1}`},
		{"no stream create", "$JS.API.STREAM.CREATE.OTHER", `{"name":"OTHER","subjects":["grants.>"]}`},
		{"no token bucket delete", "$JS.API.STREAM.DELETE.KV_GRANTS_TOKENS", ""},
		{"no token bucket purge", "$JS.API.STREAM.PURGE.KV_GRANTS_TOKENS", ""},
		{"no key-value put", "$KV.GRANTS_TOKENS.k", "forged"},
		{"no key-value get", "$JS.API.DIRECT.GET.KV_GRANTS_TOKENS.$KV.GRANTS_TOKENS.k", ""},
		{"no key-value info", "$JS.API.STREAM.INFO.KV_GRANTS_TOKENS", ""},
		{"no snapshot", "$JS.API.STREAM.SNAPSHOT." + s, `{}`},
		// PD-SEALED: the participants' keys are grants serve's alone.
		{"PD-SEALED no subject key get", "$JS.API.DIRECT.GET.KV_GRANTS_PII_KEYS.$KV.GRANTS_PII_KEYS.k", ""},
		{"PD-SEALED no subject key message get", "$JS.API.STREAM.MSG.GET.KV_GRANTS_PII_KEYS", `{"seq":1}`},
		{"PD-SEALED no subject key consumer", "$JS.API.CONSUMER.CREATE.KV_GRANTS_PII_KEYS", `{}`},
		{"PD-SEALED no subject key put", "$KV.GRANTS_PII_KEYS.k", "forged"},
		{"PD-SEALED no subject key delete", "$JS.API.STREAM.MSG.DELETE.KV_GRANTS_PII_KEYS", `{"seq":1}`},
		{"PD-SEALED no key stream get", "$JS.API.DIRECT.GET.GRANTS_PII_SUBJECT_KEYS", `{"seq":1}`},
		{"PD-SEALED no key stream message get", "$JS.API.STREAM.MSG.GET.GRANTS_PII_SUBJECT_KEYS", `{"seq":1}`},
		{"PD-SEALED no key stream consumer", "$JS.API.CONSUMER.CREATE.GRANTS_PII_SUBJECT_KEYS", `{}`},
		{"PD-SEALED no key stream put", "$PII.key.abc", "forged"},
		{"PD-SEALED no forged erasure", "$PII.erased.abc", "forged"},
	}
	for _, who := range []struct {
		name, seed, inbox string
	}{{"reader", c.reader, "_INBOX"}, {"service", c.service, jetstream.ServiceInboxPrefix}} {
		ic := c.connect(t, who.seed, who.inbox)
		for _, tc := range cases {
			t.Run(who.name+"/"+tc.rule, func(t *testing.T) {
				ic.denied(t, tc.subject, []byte(tc.data))
				c.intact(t)
			})
		}
	}
	t.Run("reader/no admin request", func(t *testing.T) {
		c.connect(t, c.reader, "_INBOX").denied(t, "grants-admin.token", []byte(`{"action":"create","role":"national-office"}`))
	})
}

// TestReaderReadsTheStream: the reader identity gets the stream's info and
// messages, by get and through an ordered consumer, as the nats CLI does.
func TestReaderReadsTheStream(t *testing.T) {
	c := startClosed(t)
	ic := c.connect(t, c.reader, "_INBOX")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js, err := njs.New(ic.nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(ctx, jetstream.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMsg(ctx, 1); err != nil {
		t.Fatalf("get: %v", err)
	}
	if _, err := s.GetMsg(ctx, 1, njs.WithGetMsgSubject("grants.>")); err != nil {
		t.Fatalf("direct get: %v", err)
	}
	cons, err := s.OrderedConsumer(ctx, njs.OrderedConsumerConfig{})
	if err != nil {
		t.Fatalf("ordered consumer: %v", err)
	}
	m, err := cons.Next(njs.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatalf("reading through an ordered consumer: %v", err)
	}
	if !strings.HasPrefix(m.Subject(), "grants.") {
		t.Fatalf("read %s", m.Subject())
	}
	// Push consumers deliver to a subject of the creator's choice: not
	// even one delivering to the stream's delete or purge API may remove
	// anything.
	for i, deliver := range []string{"$JS.API.STREAM.DELETE." + jetstream.StreamName, "$JS.API.STREAM.PURGE." + jetstream.StreamName, "$KV.GRANTS_TOKENS.k2"} {
		name := "push" + strconv.Itoa(i)
		req := `{"stream_name":"GRANTS","config":{"name":"` + name + `","deliver_subject":"` + deliver + `","ack_policy":"none"}}`
		if _, err := ic.nc.Request("$JS.API.CONSUMER.CREATE.GRANTS."+name, []byte(req), 10*time.Second); err != nil {
			t.Fatalf("creating a push consumer: %v", err)
		}
		// Nothing may change while the consumer could deliver: watch for
		// two seconds (a negative needs a window).
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
			c.intact(t)
			runtime.Gosched()
		}
		c.intact(t)
	}
	c.intact(t)
}
