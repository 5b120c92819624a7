package faultfs

import (
	"context"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// node is a loopback node that asks its mount for the fault in force
// before every operation that would change the file system.
type node struct {
	*fs.LoopbackNode
	m *Mount
}

var (
	_ fs.NodeWrapChilder    = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeWriter         = (*node)(nil)
	_ fs.NodeWritever       = (*node)(nil)
	_ fs.NodeFsyncer        = (*node)(nil)
	_ fs.NodeSetattrer      = (*node)(nil)
	_ fs.NodeAllocater      = (*node)(nil)
	_ fs.NodeCopyFileRanger = (*node)(nil)
	_ fs.NodeMkdirer        = (*node)(nil)
	_ fs.NodeMknoder        = (*node)(nil)
	_ fs.NodeUnlinker       = (*node)(nil)
	_ fs.NodeRmdirer        = (*node)(nil)
	_ fs.NodeRenamer        = (*node)(nil)
	_ fs.NodeSymlinker      = (*node)(nil)
	_ fs.NodeLinker         = (*node)(nil)
	_ fs.NodeSetxattrer     = (*node)(nil)
	_ fs.NodeRemovexattrer  = (*node)(nil)
	_ fs.NodeStatfser       = (*node)(nil)
)

// WrapChild makes every node of the mount a faulty one.
func (n *node) WrapChild(_ context.Context, ops fs.InodeEmbedder) fs.InodeEmbedder {
	if lb, ok := ops.(*fs.LoopbackNode); ok {
		return &node{LoopbackNode: lb, m: n.m}
	}
	return ops
}

// Open refuses to open a file for writing or truncation on a read-only
// mount (what open(2) answers on one).
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC) != 0 {
		if e := n.m.refuse(opChange); e != 0 {
			return nil, 0, e
		}
	}
	fh, fl, e := n.LoopbackNode.Open(ctx, flags)
	return noPassthrough(fh), fl, e
}

// Create creates a file unless the mount refuses new files.
func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if e := n.m.refuse(opGrow); e != 0 {
		return nil, nil, 0, e
	}
	in, fh, fl, e := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	return in, noPassthrough(fh), fl, e
}

// file is a loopback file whose reads and writes the kernel sends to the
// server: with FUSE passthrough (Linux 6.9 and later) the kernel would
// read and write the backing file itself, past every fault.
type file struct{ *fs.LoopbackFile }

// PassthroughFd declines passthrough.
func (file) PassthroughFd() (int, bool) { return -1, false }

// noPassthrough wraps a loopback file handle in file.
func noPassthrough(fh fs.FileHandle) fs.FileHandle {
	if lf, ok := fh.(*fs.LoopbackFile); ok {
		return file{lf}
	}
	return fh
}

// Write writes through an open file unless the mount refuses writes.
func (n *node) Write(ctx context.Context, f fs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	if e := n.m.refuse(opGrow); e != 0 {
		return 0, e
	}
	if w, ok := f.(fs.FileWriter); ok {
		return w.Write(ctx, data, off)
	}
	return 0, syscall.ENOTSUP
}

// Writev is Write of several buffers.
func (n *node) Writev(ctx context.Context, f fs.FileHandle, data [][]byte, off int64) (uint32, syscall.Errno) {
	if e := n.m.refuse(opGrow); e != 0 {
		return 0, e
	}
	if w, ok := f.(fs.FileWritever); ok {
		return w.Writev(ctx, data, off)
	}
	var written uint32
	for _, d := range data {
		k, e := n.Write(ctx, f, d, off+int64(written))
		written += k
		if e != 0 || int(k) < len(d) {
			return written, e
		}
	}
	return written, 0
}

// Fsync syncs an open file unless the mount is read-only (fsync on a file
// system remounted read-only after an error answers EROFS).
func (n *node) Fsync(ctx context.Context, f fs.FileHandle, flags uint32) syscall.Errno {
	if e := n.m.refuse(opChange); e != 0 {
		return e
	}
	if s, ok := f.(fs.FileFsyncer); ok {
		return s.Fsync(ctx, flags)
	}
	return 0
}

// Setattr (truncate, chmod, chown, utimes) changes attributes unless the
// mount is read-only.
func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if e := n.m.refuse(opChange); e != 0 {
		return e
	}
	return n.LoopbackNode.Setattr(ctx, f, in, out)
}

// Allocate reserves space unless the mount refuses it.
func (n *node) Allocate(ctx context.Context, f fs.FileHandle, off, size uint64, mode uint32) syscall.Errno {
	if e := n.m.refuse(opGrow); e != 0 {
		return e
	}
	if a, ok := f.(fs.FileAllocater); ok {
		return a.Allocate(ctx, off, size, mode)
	}
	return syscall.ENOTSUP
}

// CopyFileRange copies between files unless the mount refuses writes.
func (n *node) CopyFileRange(ctx context.Context, fhIn fs.FileHandle, offIn uint64, out *fs.Inode, fhOut fs.FileHandle, offOut, length uint64, flags uint64) (uint32, syscall.Errno) {
	if e := n.m.refuse(opGrow); e != 0 {
		return 0, e
	}
	return n.LoopbackNode.CopyFileRange(ctx, fhIn, offIn, out, fhOut, offOut, length, flags)
}

// Mkdir makes a directory unless the mount refuses it.
func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.m.refuse(opGrow); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Mkdir(ctx, name, mode, out)
}

// Mknod makes a node unless the mount refuses it.
func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.m.refuse(opGrow); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Mknod(ctx, name, mode, rdev, out)
}

// Unlink removes a file unless the mount is read-only.
func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	if e := n.m.refuse(opChange); e != 0 {
		return e
	}
	return n.LoopbackNode.Unlink(ctx, name)
}

// Rmdir removes a directory unless the mount is read-only.
func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	if e := n.m.refuse(opChange); e != 0 {
		return e
	}
	return n.LoopbackNode.Rmdir(ctx, name)
}

// Rename renames unless the mount is read-only.
func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if e := n.m.refuse(opChange); e != 0 {
		return e
	}
	return n.LoopbackNode.Rename(ctx, name, newParent, newName, flags)
}

// Symlink makes a symbolic link unless the mount refuses it.
func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.m.refuse(opGrow); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Symlink(ctx, target, name, out)
}

// Link makes a hard link unless the mount refuses it.
func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if e := n.m.refuse(opGrow); e != 0 {
		return nil, e
	}
	return n.LoopbackNode.Link(ctx, target, name, out)
}

// Setxattr sets an extended attribute unless the mount refuses it.
func (n *node) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	if e := n.m.refuse(opGrow); e != 0 {
		return e
	}
	return n.LoopbackNode.Setxattr(ctx, attr, data, flags)
}

// Removexattr removes an extended attribute unless the mount is read-only.
func (n *node) Removexattr(ctx context.Context, attr string) syscall.Errno {
	if e := n.m.refuse(opChange); e != 0 {
		return e
	}
	return n.LoopbackNode.Removexattr(ctx, attr)
}

// Statfs reports the backing file system's space, none free while the
// mount is full.
func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	if e := n.LoopbackNode.Statfs(ctx, out); e != 0 {
		return e
	}
	if n.m.Mode() == Full {
		out.Bfree, out.Bavail = 0, 0
	}
	return 0
}
