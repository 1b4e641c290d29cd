// Package wal owns a Raft node's durable state on disk: the write-ahead log
// of entries, the hard state and the snapshot metadata, kept as records in
// append-only, preallocated segment files, plus the snapshot files (through
// package snap) and the lock that gives one process the node directory.
// Store implements raft.LogStore.
//
// Directory layout:
//
//	LOCK                      flock(2)ed by the process that has the store open
//	wal/%016x.wal             segments, numbered in order
//	snap/%016x-%016x.snap     snapshot files (term, index)
//
// Every record carries its length, type and CRC-32C (see record.go). A
// segment begins with a header record that restates the hard state, the
// snapshot metadata and the last index at the moment it was created, so
// segments wholly covered by a snapshot can be deleted.
//
// Durability: a Save writes its records with one write into space the
// segment already claimed (fallocate, or zeros written when the file
// system cannot fallocate) and fsyncs once. A full disk therefore fails
// when a new segment is created, cleanly, before anything is written. Any
// fsync error and any write error after space was claimed is fatal: the
// store refuses all further use (ErrFailed) and the node must restart.
//
// Opening validates every segment. A torn tail in the last segment (a
// record cut short, or ending in zeros as an interrupted append into
// preallocated space leaves it) is truncated and reported at info level.
// Anything else that fails validation, including a complete record failing
// its checksum at the very end, is a *CorruptionError naming the file and
// byte offset; Open refuses to continue unless Options.Repair is set, which
// truncates the log at that point (losing everything after it, as etcd's
// repair does) and logs what was dropped at warn level.
package wal
