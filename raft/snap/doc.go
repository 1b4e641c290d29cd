// Package snap owns a node's snapshot files: the on-disk format (a data
// stream followed by a trailer holding the snapshot's metadata and
// CRC-32C checksums), durable creation (temp file, fsync, rename, fsync of
// the directory), streaming reads that verify the data checksum, and
// removal of snapshots a newer durable one has superseded.
//
// A snapshot file is named %016x-%016x.snap after the term and index of
// its last included entry, so names sort by (term, index).
package snap
