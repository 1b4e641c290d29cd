package raft

import (
	"bytes"
	"io"
	"log/slog"
	"sync"
)

// SnapshotSpool holds outgoing snapshots while they stream to a follower:
// the node writes the state machine's snapshot into a Spool off its Raft
// goroutine, then hands the spool's contents to Transport.SendSnapshot.
// The node assembly provides it (package raft does no file I/O outside
// raft/wal and raft/snap; snap.TempSpool spools to temporary files). It
// is called from several goroutines at once.
type SnapshotSpool interface {
	// Create returns a new, empty spool.
	Create() (Spool, error)
}

// Spool is one outgoing snapshot's data.
type Spool interface {
	io.Writer
	// Reader returns everything written, from the start. Writing ends
	// when it is called.
	Reader() (io.Reader, error)
	// Discard releases the spool and its storage.
	Discard() error
}

// memorySpool is the default SnapshotSpool: snapshots held in memory,
// fit for tests and small state machines.
type memorySpool struct{}

func (memorySpool) Create() (Spool, error) { return &memorySpoolFile{}, nil }

type memorySpoolFile struct{ buf bytes.Buffer }

func (m *memorySpoolFile) Write(p []byte) (int, error) { return m.buf.Write(p) }

func (m *memorySpoolFile) Reader() (io.Reader, error) { return bytes.NewReader(m.buf.Bytes()), nil }

func (m *memorySpoolFile) Discard() error {
	m.buf = bytes.Buffer{}
	return nil
}

// spoolSet is the node's outgoing snapshot spools still held, so that
// Stop can discard those whose transfer never started.
type spoolSet struct {
	mu  sync.Mutex
	set map[Spool]bool
}

func (s *spoolSet) add(sp Spool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set == nil {
		s.set = map[Spool]bool{}
	}
	s.set[sp] = true
}

// remove reports whether sp was held (it is discarded once).
func (s *spoolSet) remove(sp Spool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	held := s.set[sp]
	delete(s.set, sp)
	return held
}

func (s *spoolSet) discardAll(log *slog.Logger) {
	s.mu.Lock()
	held := s.set
	s.set = nil
	s.mu.Unlock()
	for sp := range held {
		if err := sp.Discard(); err != nil {
			log.Warn("cannot discard snapshot spool", "err", err)
		}
	}
}
