package main

import "testing"

// TestRedactURLsDropsCredentials proves the ready line never logs a
// password a --nats-url carries.
func TestRedactURLsDropsCredentials(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"nats://127.0.0.1:4222", "nats://127.0.0.1:4222"},
		{"nats://u:secret@a:4222,nats://b:4223", "nats://a:4222,nats://b:4223"},
		{"nats://token@a:4222", "nats://a:4222"},
	} {
		if got := redactURLs(c.in); got != c.want {
			t.Errorf("redactURLs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
