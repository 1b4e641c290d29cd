package snap

import (
	"fmt"
	"io"
	"os"

	"github.com/resqlite/resqlite/raft"
)

// TempSpool is a raft.SnapshotSpool that spools outgoing snapshots to
// temporary files in Dir (os.TempDir() if empty), each removed once its
// transfer ended.
type TempSpool struct {
	Dir string
}

var _ raft.SnapshotSpool = TempSpool{}

// Create makes a new temporary file in s.Dir.
func (s TempSpool) Create() (raft.Spool, error) {
	f, err := os.CreateTemp(s.Dir, "resqlite-outgoing-snapshot-*")
	if err != nil {
		return nil, fmt.Errorf("snap: create spool file: %w", err)
	}
	return &tempSpoolFile{f: f}, nil
}

type tempSpoolFile struct{ f *os.File }

func (t *tempSpoolFile) Write(p []byte) (int, error) { return t.f.Write(p) }

// Reader rewinds the file to its start.
func (t *tempSpoolFile) Reader() (io.Reader, error) {
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("snap: rewind spool file %s: %w", t.f.Name(), err)
	}
	return t.f, nil
}

// Discard closes and removes the file.
func (t *tempSpoolFile) Discard() error {
	cerr := t.f.Close()
	if err := os.Remove(t.f.Name()); err != nil {
		return fmt.Errorf("snap: remove spool file: %w", err)
	}
	if cerr != nil {
		return fmt.Errorf("snap: close spool file: %w", cerr)
	}
	return nil
}
