package wal

import (
	"fmt"
	"os"
)

// fileOps are the file operations whose failure the store must survive or
// treat as fatal. Tests replace them to inject ENOSPC and fsync errors.
type fileOps struct {
	preallocate func(f *os.File, size int64) error
	sync        func(f *os.File) error
	syncDir     func(dir string) error
}

func defaultFileOps() fileOps {
	return fileOps{preallocate: fallocate, sync: fdatasync, syncDir: syncDir}
}

// writeZeros extends f to size by writing zeros after its current end.
func writeZeros(f *os.File, size int64) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	zeros := make([]byte, 1<<16)
	for off := st.Size(); off < size; {
		n := min(int64(len(zeros)), size-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return err
		}
		off += n
	}
	return nil
}

// syncDir fsyncs a directory so that entries created, renamed or removed
// in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory: %w", err)
	}
	err = d.Sync()
	d.Close()
	if err != nil {
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return nil
}

// removeFile removes path.
func removeFile(path string) error { return os.Remove(path) }
