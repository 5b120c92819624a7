package jetstream_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events/jetstream"
)

func TestStartEmbeddedRefusesStoreDirItCannotCreate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "store")
	_, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: dir, Port: -1})
	if err == nil {
		t.Fatal("a store dir under a file was accepted")
	}
	msg := err.Error()
	if !strings.Contains(msg, dir) || !strings.Contains(msg, "not a directory") || strings.Contains(msg, "\n") {
		t.Fatalf("error %q should be one line naming %s and the reason", msg, dir)
	}
}

func TestStartEmbeddedInProcessOnlyWithPortZero(t *testing.T) {
	srv, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	if url := jetstream.ClientURL(srv); url != "" {
		t.Fatalf("a server that does not listen has client URL %q", url)
	}
	nc, err := jetstream.ConnectInProcess(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if !nc.IsConnected() {
		t.Fatal("in-process connection is not connected")
	}
}

func TestStartEmbeddedListensOnRandomPort(t *testing.T) {
	srv, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1, Durability: jetstream.DurabilitySyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	url := jetstream.ClientURL(srv)
	if !strings.HasPrefix(url, "nats://127.0.0.1:") || strings.HasSuffix(url, ":-1") {
		t.Fatalf("client URL %q", url)
	}
	nc, err := jetstream.ConnectTCP(srv, "test")
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
}

func TestStartEmbeddedSaysWhyWhenThePortIsTaken(t *testing.T) {
	first, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown()
	port := first.Addr().(*net.TCPAddr).Port
	_, err = jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: port})
	if err == nil {
		t.Fatal("a second server started on a taken port")
	}
	if !strings.Contains(err.Error(), "address already in use") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %q should say in one line that the address is in use", err)
	}
}
