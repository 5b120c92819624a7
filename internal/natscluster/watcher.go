package natscluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The watcher is a process of its own that runs Watch on a cluster
// whose nodes outlive the command that started them (grants cluster up
// starts `grants cluster watch` this way). Its pid and log are kept in
// the cluster directory beside the nodes'.

func (c *Cluster) watcherPidPath() string { return filepath.Join(c.Dir, "watch.pid") }

// WatcherLogPath is the log file of the watcher process.
func (c *Cluster) WatcherLogPath() string { return filepath.Join(c.Dir, "watch.log") }

// SpawnWatcher starts argv as the cluster's watcher process, detached (it
// outlives this process), its output appended to WatcherLogPath, unless a
// watcher runs already; it returns the watcher's pid. argv must name the
// cluster directory and the word "watch" (WatcherPid recognises the
// process by them).
func (c *Cluster) SpawnWatcher(argv []string) (int, error) {
	if pid := c.WatcherPid(); pid != 0 {
		return pid, nil
	}
	joined := strings.Join(argv, "\x00")
	if len(argv) == 0 || !strings.Contains(joined, c.Dir) || !strings.Contains(joined, "watch") {
		return 0, fmt.Errorf("natscluster: a watcher's command line must name %s and watch: %q", c.Dir, argv)
	}
	logf, err := os.OpenFile(c.WatcherLogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("starting the watcher: %w", err)
	}
	pid := cmd.Process.Pid
	// Reap it if it exits while this process still runs.
	go func() { _ = cmd.Wait() }()
	if err := os.WriteFile(c.watcherPidPath(), []byte(strconv.Itoa(pid)+"\n"), 0o640); err != nil {
		_ = cmd.Process.Kill()
		return 0, err
	}
	return pid, nil
}

// WatcherPid is the pid of the cluster's watcher process, 0 when none
// runs.
func (c *Cluster) WatcherPid() int {
	data, err := os.ReadFile(c.watcherPidPath())
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || !c.ownsWatcher(pid) {
		return 0
	}
	return pid
}

// ownsWatcher tells whether pid is a live watcher of this cluster.
func (c *Cluster) ownsWatcher(pid int) bool { return liveWith(pid, c.Dir, "watch") }

// StopWatcher stops the watcher process (SIGTERM, SIGKILL after 10 s) and
// waits until it has exited. No watcher is no error.
func (c *Cluster) StopWatcher() error {
	pid := c.WatcherPid()
	if pid == 0 {
		_ = os.Remove(c.watcherPidPath())
		return nil
	}
	sig := syscall.SIGTERM
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stopping the watcher (pid %d): %w", pid, err)
	}
	deadline := time.Now().Add(stopGrace)
	for c.ownsWatcher(pid) {
		if sig != syscall.SIGKILL && time.Now().After(deadline) {
			sig = syscall.SIGKILL
			_ = syscall.Kill(pid, sig)
		}
		time.Sleep(pollEvery)
	}
	return os.Remove(c.watcherPidPath())
}
