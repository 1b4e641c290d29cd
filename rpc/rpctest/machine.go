package rpctest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/resqlite/resqlite/raft"
)

// Applied is one normal entry a Machine applied.
type Applied struct {
	Index uint64 `json:"i"`
	Data  string `json:"d"`
}

// Machine is a raft.StateMachine for tests: it records the data of every
// normal entry it applies, in order, and returns the entry's position among
// them as its result. With a file it is durable: each Apply appends its
// records and fsyncs before returning.
type Machine struct {
	mu       sync.Mutex
	path     string
	file     *os.File
	applied  uint64
	entries  []Applied
	restores int
}

// NewMachine returns an in-memory Machine.
func NewMachine() *Machine { return &Machine{} }

// OpenMachine returns a Machine kept in the file at path, loading what it
// holds (a torn last record, from a crash mid-write, is dropped).
func OpenMachine(path string) (*Machine, error) {
	m := &Machine{path: path}
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("rpctest: open machine: %w", err)
	}
	good := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var rec struct {
			Applied
			Applied2 uint64 `json:"a"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			break
		}
		good += len(sc.Bytes()) + 1
		if rec.Applied2 != 0 {
			m.applied = rec.Applied2
			continue
		}
		m.entries = append(m.entries, rec.Applied)
		m.applied = rec.Index
	}
	if good > len(b) {
		good = len(b)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("rpctest: open machine: %w", err)
	}
	if err := f.Truncate(int64(good)); err != nil {
		f.Close()
		return nil, fmt.Errorf("rpctest: open machine: %w", err)
	}
	if _, err := f.Seek(int64(good), io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("rpctest: open machine: %w", err)
	}
	m.file = f
	return m, nil
}

// Close releases the machine's file.
func (m *Machine) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.file == nil {
		return nil
	}
	err := m.file.Close()
	m.file = nil
	return err
}

// Apply implements raft.StateMachine.
func (m *Machine) Apply(ents []raft.Entry) ([]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]any, len(ents))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i, e := range ents {
		if e.Index != m.applied+1 {
			return nil, fmt.Errorf("rpctest: machine at %d asked to apply %d", m.applied, e.Index)
		}
		m.applied = e.Index
		if e.Type != raft.EntryNormal {
			enc.Encode(struct {
				A uint64 `json:"a"`
			}{e.Index})
			continue
		}
		a := Applied{Index: e.Index, Data: string(e.Data)}
		m.entries = append(m.entries, a)
		out[i] = len(m.entries)
		enc.Encode(a)
	}
	if m.file != nil {
		if _, err := m.file.Write(buf.Bytes()); err != nil {
			return nil, fmt.Errorf("rpctest: machine write: %w", err)
		}
		if err := m.file.Sync(); err != nil {
			return nil, fmt.Errorf("rpctest: machine sync: %w", err)
		}
	}
	return out, nil
}

// AppliedIndex implements raft.StateMachine.
func (m *Machine) AppliedIndex() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.applied
}

// machineState is a Machine's snapshot.
type machineState struct {
	Applied uint64    `json:"applied"`
	Entries []Applied `json:"entries"`
}

// Snapshot implements raft.StateMachine.
func (m *Machine) Snapshot(w io.Writer) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := json.NewEncoder(w).Encode(machineState{m.applied, m.entries}); err != nil {
		return 0, fmt.Errorf("rpctest: machine snapshot: %w", err)
	}
	return m.applied, nil
}

// Restore implements raft.StateMachine.
func (m *Machine) Restore(r io.Reader) error {
	var s machineState
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("rpctest: machine restore: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.file != nil {
		if err := m.rewrite(s); err != nil {
			return err
		}
	}
	m.applied, m.entries = s.Applied, s.Entries
	m.restores++
	return nil
}

// Restores returns how many snapshots the machine has restored.
func (m *Machine) Restores() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.restores
}

// rewrite replaces the machine's file with state s (temp file, fsync,
// rename, directory fsync).
func (m *Machine) rewrite(s machineState) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, a := range s.Entries {
		enc.Encode(a)
	}
	enc.Encode(struct {
		A uint64 `json:"a"`
	}{s.Applied})
	tmp := m.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("rpctest: machine restore: %w", err)
	}
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("rpctest: machine restore: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("rpctest: machine restore: %w", err)
	}
	if err := os.Rename(tmp, m.path); err != nil {
		f.Close()
		return fmt.Errorf("rpctest: machine restore: %w", err)
	}
	if d, err := os.Open(filepath.Dir(m.path)); err == nil {
		d.Sync()
		d.Close()
	}
	m.file.Close()
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return fmt.Errorf("rpctest: machine restore: %w", err)
	}
	m.file = f
	return nil
}

// Entries returns a copy of the normal entries applied so far, in order.
func (m *Machine) Entries() []Applied {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Applied(nil), m.entries...)
}
