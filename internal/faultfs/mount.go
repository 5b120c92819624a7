package faultfs

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Mode is the fault a mount is in.
type Mode int32

const (
	// Healthy passes every operation to the backing directory.
	Healthy Mode = iota
	// ReadOnly answers EROFS to every operation that would change the
	// file system, through descriptors already open too.
	ReadOnly
	// Full answers ENOSPC to every operation that would take space
	// (write, create, mkdir, fallocate...); removing and truncating go
	// on, and statfs reports no free block.
	Full
)

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Healthy:
		return "healthy"
	case ReadOnly:
		return "read-only"
	case Full:
		return "full"
	}
	return fmt.Sprintf("Mode(%d)", int32(m))
}

// op is what an operation does to the file system: take space (opGrow),
// or change it without taking space (opChange).
type op int

const (
	opGrow op = iota
	opChange
)

// Mount is a FUSE pass-through mount of a backing directory with a
// switchable fault.
type Mount struct {
	dir, backing string
	server       *fuse.Server
	mode         atomic.Int32
	refused      atomic.Uint64
}

// New mounts backing (an existing directory) at dir (an existing, empty
// directory), healthy. It needs root and /dev/fuse; Close unmounts it.
func New(dir, backing string) (*Mount, error) {
	m := &Mount{dir: dir, backing: backing}
	var st syscall.Stat_t
	if err := syscall.Stat(backing, &st); err != nil {
		return nil, fmt.Errorf("faultfs: backing directory: %w", err)
	}
	root := &fs.LoopbackRoot{Path: backing, Dev: uint64(st.Dev)}
	top := &node{LoopbackNode: &fs.LoopbackNode{RootData: root}, m: m}
	root.RootNode = top
	server, err := fs.Mount(dir, top, &fs.Options{MountOptions: fuse.MountOptions{
		DirectMountStrict: true, FsName: backing, Name: "faultfs",
		// The backing directory's owners and modes apply, as they do
		// to a process on a disk file system.
		Options: []string{"default_permissions"},
	}})
	if err != nil {
		return nil, fmt.Errorf("faultfs: mounting %s at %s: %w", backing, dir, err)
	}
	m.server = server
	return m, nil
}

// Available tells why a mount cannot be made here, or nil: not root, or
// no /dev/fuse.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("faultfs needs root to mount")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return fmt.Errorf("faultfs needs /dev/fuse: %w", err)
	}
	return nil
}

// Dir is the mount point.
func (m *Mount) Dir() string { return m.dir }

// Backing is the backing directory.
func (m *Mount) Backing() string { return m.backing }

// Set switches the mount's fault; it applies to the next request.
func (m *Mount) Set(mode Mode) { m.mode.Store(int32(mode)) }

// Mode is the fault in force.
func (m *Mount) Mode() Mode { return Mode(m.mode.Load()) }

// Refused counts the operations refused since the mount was made.
func (m *Mount) Refused() uint64 { return m.refused.Load() }

// refuse returns the error an operation of kind o gets now, or 0.
func (m *Mount) refuse(o op) syscall.Errno {
	var e syscall.Errno
	switch m.Mode() {
	case ReadOnly:
		e = syscall.EROFS
	case Full:
		if o == opGrow {
			e = syscall.ENOSPC
		}
	}
	if e != 0 {
		m.refused.Add(1)
	}
	return e
}

// Close heals the mount and unmounts it; when a process still holds
// files open on it (the mount is busy), it detaches it lazily instead:
// the server goes on answering for the files still open, until the last
// is closed.
func (m *Mount) Close() error {
	m.Set(Healthy)
	if err := m.server.Unmount(); err == nil {
		return nil
	}
	if err := syscall.Unmount(m.dir, syscall.MNT_DETACH); err != nil {
		return fmt.Errorf("faultfs: unmounting %s: %w", m.dir, err)
	}
	return nil
}
