// Package faultfs is test support: a FUSE pass-through (loopback) file
// system over a backing directory whose faults a test switches while a
// process works on it. Read-only answers EROFS to every operation that
// would change the file system (write, create, truncate, rename, unlink,
// mkdir, setattr, fsync, fallocate...) while the file descriptors already
// open stay open, as a disk file system remounted read-only after an
// error does; Full answers ENOSPC to what would take space. Reads are
// never refused.
//
// It exists because no mount trick gives that fault under a running
// process: the kernel refuses to remount a mount read-only while a file
// on it is open for writing (EBUSY). A FUSE server in the test process
// answers the kernel's requests for the mount, so its errors are what
// the process on it sees from its system calls.
//
// Mounting needs root (the mount is made with mount(2) directly, no
// fusermount binary) and /dev/fuse.
package faultfs
