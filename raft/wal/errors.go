package wal

import (
	"errors"
	"fmt"
)

// ErrFailed is wrapped by every error of a store that hit an fsync error
// or a write error after its space was claimed. Such a store refuses all
// further use: after a failed fsync the kernel may have dropped the dirty
// pages, so retrying could report data durable that is not. Restart the
// node; Open recovers what is durable.
var ErrFailed = errors.New("wal: store failed on an I/O error and must be reopened")

// ErrLocked is wrapped by Open's error when another process (or another
// Store in this process) has the node directory open.
var ErrLocked = errors.New("wal: node directory is in use by another process")

// ErrClosed is returned by a closed store.
var ErrClosed = errors.New("wal: store is closed")

// CorruptionError reports log data that fails validation somewhere a torn
// append cannot explain: data the store once reported durable is damaged.
// Open refuses to continue; Options.Repair truncates the log at Offset of
// File (everything from there on is lost).
type CorruptionError struct {
	File   string // path of the segment
	Offset int64  // byte offset of the damaged record within File
	Reason string
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("wal: corrupt log: %s at byte offset %d: %s (Options.Repair truncates the log there, discarding everything after it)",
		e.File, e.Offset, e.Reason)
}
