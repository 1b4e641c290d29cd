//go:build unix && !linux

package wal

import (
	"errors"
	"os"
	"syscall"
)

// fallocate claims size bytes for f by writing zeros (no portable
// fallocate outside Linux).
func fallocate(f *os.File, size int64) error { return writeZeros(f, size) }

// fdatasync flushes f with fsync.
func fdatasync(f *os.File) error { return f.Sync() }

// flock takes an exclusive, non-blocking lock on f.
func flock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// isLocked reports whether err from flock means another holder.
func isLocked(err error) bool { return errors.Is(err, syscall.EWOULDBLOCK) }
