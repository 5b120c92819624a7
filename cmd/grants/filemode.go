package main

import "syscall"

// privateFiles makes every file and directory the process creates private
// to its owner (files 0600, directories 0700): the data directory holds the
// event store, the read models with participants' personal data, the NATS
// identities and the signing keys, none of which another local user may
// read.
func privateFiles() { syscall.Umask(0o077) }
