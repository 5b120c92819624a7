package natscluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// serverModule is the module whose main package is nats-server.
const serverModule = "github.com/nats-io/nats-server/v2"

// BinaryEnv names a nats-server binary to use instead of building one.
const BinaryEnv = "GRANTS_NATS_SERVER"

// ServerBinary returns the path of a nats-server binary at the version
// go.mod pins: $GRANTS_NATS_SERVER when set, else
// <user cache>/grants/nats-server-<version>, built with `go build` on
// first use (run from inside the module). Concurrent callers each build
// into a temporary file and rename it: the result is whole.
func ServerBinary(ctx context.Context) (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s: %w", BinaryEnv, err)
		}
		return p, nil
	}
	version, err := serverVersion(ctx)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "grants")
	bin := filepath.Join(dir, "nats-server-"+version)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("nats-server cache %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".nats-server-*")
	if err != nil {
		return "", fmt.Errorf("nats-server cache %s: %w", dir, err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp.Name(), serverModule)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building nats-server %s (go build %s, run inside the grants module, or set $%s): %v: %s",
			version, serverModule, BinaryEnv, err, strings.TrimSpace(out.String()))
	}
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", fmt.Errorf("nats-server cache: %w", err)
	}
	return bin, nil
}

// serverVersion is nats-server's version in this binary's build
// information, else what `go list -m` says of the current module.
func serverVersion(ctx context.Context) (string, error) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == serverModule {
				if d.Replace != nil {
					d = d.Replace
				}
				if d.Version != "" && d.Version != "(devel)" {
					return d.Version, nil
				}
			}
		}
	}
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Version}}", serverModule).Output()
	v := strings.TrimSpace(string(out))
	if err != nil || v == "" {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%v: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return "", fmt.Errorf("finding the pinned nats-server version (go list -m %s): %v", serverModule, err)
	}
	return v, nil
}
