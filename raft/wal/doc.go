// Package wal owns a Raft node's durable state on disk: the write-ahead log
// of entries, the hard state, snapshot and compaction records, kept in
// append-only, preallocated segment files; the snapshot files (through
// package snap); and the lock that gives one process the node directory.
// Store implements raft.LogStore with the semantics of raft.MemoryStorage
// (the conformance tests run both).
//
// Directory layout:
//
//	LOCK                      flock(2)ed by the process that has the store open
//	wal/%016x.wal             segments, numbered in order
//	snap/%016x-%016x.snap     snapshot files (term, index)
//
// Every record carries its length, type and CRC-32C (see record.go). A
// segment begins with a header record that restates the log's first and
// last index, the hard state and the snapshot metadata at the moment it
// was created, so segments holding only compacted entries can be deleted.
// A conflicting suffix is replaced by appending the new entries: replay
// lets a lower index discard what followed it, and an in-memory index of
// record offsets serves reads without scanning.
//
// Durability: a Save writes its records with one write into space the
// segment already claimed (fallocate, or zeros written where the file
// system cannot fallocate) and fsyncs once. A full disk therefore fails
// when a new segment is created, cleanly, before anything is written; each
// segment keeps a little room for a snapshot record, so a snapshot and a
// compaction can still free space. Any fsync error and any write error
// after space was claimed is fatal: the store refuses all further use
// (ErrFailed) and the node must restart. A Save orders its records so that
// a power cut keeping any prefix of the write recovers a state a node can
// restart on: term and vote before the entries, a commit index past what
// is already durable only after them (Store.saveOrder).
//
// Snapshots, as the node driver uses them: NewSnapshot gives a writer the
// state machine (or the transport, for a leader's snapshot) streams into;
// SaveSnapshotFile makes the file durable; then CreateSnapshot (local) or
// ApplySnapshot (from the leader) records it in the log, which makes it
// current and removes older snapshot files; Compact then discards the log
// prefix. OpenSnapshot streams the current snapshot back.
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
