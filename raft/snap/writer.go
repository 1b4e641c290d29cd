package snap

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"

	"github.com/resqlite/resqlite/raft"
)

// Writer streams a new snapshot into a temporary file in a snapshot
// directory. Nothing is visible under a snapshot name until Commit has made
// the file durable; Abort (or a crash) leaves only a temp file that Prune
// and CleanTemp remove.
type Writer struct {
	dir  string
	f    *os.File
	bw   *bufio.Writer
	crc  uint32
	n    uint64
	err  error
	done bool
}

// tempPattern names in-progress snapshot files.
const tempPattern = ".snap-*.tmp"

// Create starts a snapshot file in dir, which must exist.
func Create(dir string) (*Writer, error) {
	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return nil, fmt.Errorf("snap: create temp file: %w", err)
	}
	w := &Writer{dir: dir, f: f, bw: bufio.NewWriterSize(f, 1<<20)}
	if _, err := w.bw.WriteString(headerMagic); err != nil {
		w.Abort()
		return nil, fmt.Errorf("snap: write header: %w", err)
	}
	return w, nil
}

// Write appends snapshot data.
func (w *Writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("snap: write to a finished snapshot")
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.bw.Write(p)
	w.crc = crc32.Update(w.crc, castagnoli, p[:n])
	w.n += uint64(n)
	if err != nil {
		w.err = fmt.Errorf("snap: write %s: %w", w.f.Name(), err)
		return n, w.err
	}
	return n, nil
}

// Commit records meta in the file, fsyncs it, renames it to its final
// name, fsyncs the directory and returns the final path. On error the
// snapshot is abandoned; an error wrapping ErrDurability (fsync, rename)
// means the disk can no longer be trusted and the caller must stop.
func (w *Writer) Commit(meta raft.SnapshotMeta) (string, error) {
	if w.done {
		return "", errors.New("snap: commit of a finished snapshot")
	}
	if w.err != nil {
		w.Abort()
		return "", w.err
	}
	if err := ValidateMeta(meta); err != nil {
		w.Abort()
		return "", err
	}
	mb := EncodeMeta(nil, meta)
	tr := trailer{dataLen: w.n, metaLen: uint32(len(mb)), dataCRC: w.crc, metaCRC: crc32.Checksum(mb, castagnoli)}
	if _, err := w.bw.Write(mb); err != nil {
		w.Abort()
		return "", fmt.Errorf("snap: write metadata: %w", err)
	}
	if _, err := w.bw.Write(tr.encode()); err != nil {
		w.Abort()
		return "", fmt.Errorf("snap: write trailer: %w", err)
	}
	if err := w.bw.Flush(); err != nil {
		w.Abort()
		return "", fmt.Errorf("snap: write %s: %w", w.f.Name(), err)
	}
	if err := w.f.Sync(); err != nil {
		w.Abort()
		return "", fmt.Errorf("%w: fsync %s: %v", ErrDurability, w.f.Name(), err)
	}
	tmp := w.f.Name()
	if err := w.f.Close(); err != nil {
		w.Abort()
		return "", fmt.Errorf("snap: close %s: %w", tmp, err)
	}
	w.done = true
	final := filepath.Join(w.dir, Name(meta.Term, meta.Index))
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("%w: rename %s: %v", ErrDurability, tmp, err)
	}
	if err := SyncDir(w.dir); err != nil {
		return "", fmt.Errorf("%w: %v", ErrDurability, err)
	}
	return final, nil
}

// Abort discards the snapshot being written.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
}

// ErrDurability is wrapped by Commit errors that come from an fsync or a
// rename: after one the disk cannot be trusted and the node must stop.
var ErrDurability = errors.New("snap: durability failure")

// SyncDir fsyncs a directory so that entries created, renamed or removed
// in it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("snap: open directory %s: %w", dir, err)
	}
	err = d.Sync()
	d.Close()
	if err != nil {
		return fmt.Errorf("snap: fsync directory %s: %w", dir, err)
	}
	return nil
}
