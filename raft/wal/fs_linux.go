package wal

import (
	"errors"
	"os"
	"syscall"
)

// fallocate claims size bytes for f (mode 0: the file grows and reads as
// zeros), so later writes into that range cannot fail for lack of space.
// File systems that cannot fallocate get the space claimed by writing
// zeros instead.
func fallocate(f *os.File, size int64) error {
	err := syscall.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		return writeZeros(f, size)
	}
	if err != nil {
		return &os.PathError{Op: "fallocate", Path: f.Name(), Err: err}
	}
	return nil
}

// fdatasync flushes f's data and the metadata needed to read it back.
// Segments never change size while written (their space is claimed in
// advance), so this is all an append needs.
func fdatasync(f *os.File) error {
	if err := syscall.Fdatasync(int(f.Fd())); err != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
	}
	return nil
}

// flock takes an exclusive, non-blocking lock on f.
func flock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// isLocked reports whether err from flock means another holder.
func isLocked(err error) bool { return errors.Is(err, syscall.EWOULDBLOCK) }
