package httpbench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is a grants serve running as a child process.
type Server struct {
	// Base is the API's base URL ("http://127.0.0.1:port").
	Base string
	cmd  *exec.Cmd
	done chan error
	log  *bytes.Buffer
}

// Start runs bin with args (a grants serve that logs JSON) and env added
// to this process's environment, and waits for its ready line.
func Start(bin string, args, env []string) (*Server, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{cmd: cmd, done: make(chan error, 1), log: &bytes.Buffer{}}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			// The server logs a line per request: only the ready line is
			// decoded, and the others are only looked at, so that reading
			// the log costs the load generator next to nothing.
			var line struct {
				Msg  string `json:"msg"`
				HTTP string `json:"http"`
			}
			b := sc.Bytes()
			if bytes.Contains(b, []byte(`"grants serve ready"`)) && json.Unmarshal(b, &line) == nil && line.Msg == "grants serve ready" {
				ready <- line.HTTP
			} else if s.log.Len() < 1<<20 && !bytes.Contains(b, []byte(`"level":"INFO"`)) {
				s.log.Write(sc.Bytes())
				s.log.WriteByte('\n')
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case addr := <-ready:
		s.Base = "http://" + addr
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("grants serve exited before it was ready: %v", err)
	case <-time.After(5 * time.Minute):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("grants serve was not ready within 5 minutes")
	}
}

// PID is the server's process ID.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// CPU is the user and system CPU time the server has used so far (0 when
// /proc cannot tell), from /proc/<pid>/stat.
func (s *Server) CPU() time.Duration { return ProcessCPU(s.PID()) }

// ProcessCPU is the user and system CPU time process pid has used so far
// (0 when /proc cannot tell), from /proc/<pid>/stat.
func ProcessCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces, inside
	// parentheses): state is the 3rd field, utime the 14th, stime the 15th.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(ut+st) * time.Second / clockTicks
}

// clockTicks is the kernel's USER_HZ, the unit of /proc's CPU times (100
// on Linux for every architecture Go supports).
const clockTicks = 100

// RSS is the server's resident memory in bytes (VmRSS of /proc/<pid>/status).
func (s *Server) RSS() (int64, error) { return RSS(s.PID()) }

// Stop sends SIGTERM and waits for the server to exit.
func (s *Server) Stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		return err
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		return fmt.Errorf("grants serve did not stop within 60 s of SIGTERM")
	}
}

// Warnings returns what the server logged above level INFO (the first MiB).
func (s *Server) Warnings() string { return s.log.String() }

// RSS returns the resident memory in bytes of process pid, from
// /proc/<pid>/status.
func RSS(pid int) (int64, error) {
	m, err := ReadMemory(pid)
	return m.RSS, err
}

// Memory is a process's resident memory in bytes, from /proc/<pid>/status:
// RSS (VmRSS) is Anon (RssAnon: heaps, Go's and C's) plus File (RssFile:
// the binary and mapped files) plus shared memory.
type Memory struct {
	RSS, Anon, File int64
}

// Memory returns the server's resident memory.
func (s *Server) Memory() (Memory, error) { return ReadMemory(s.PID()) }

// ReadMemory returns the resident memory of process pid.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch name {
		case "VmRSS":
			dst, found = &m.RSS, true
		case "RssAnon":
			dst = &m.Anon
		case "RssFile":
			dst = &m.File
		default:
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 2 && f[1] == "kB" {
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return Memory{}, err
			}
			*dst = n << 10
		}
	}
	if !found {
		return Memory{}, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return m, nil
}
