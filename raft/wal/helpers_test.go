package wal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// testSegmentSize keeps test segments small so that tests roll often.
const testSegmentSize = 4096

func openT(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{SegmentSize: testSegmentSize})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func reopen(t testing.TB, s *Store) *Store {
	t.Helper()
	dir := s.Dir()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return openT(t, dir)
}

// payload returns deterministic entry data for index and term.
func payload(index, term uint64, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(index*131 + term*7 + uint64(i)*13 + 1)
	}
	return b
}

func makeEntries(lo, hi, term uint64, size int) []raft.Entry {
	var ents []raft.Entry
	for i := lo; i < hi; i++ {
		ents = append(ents, raft.Entry{Index: i, Term: term, Type: raft.EntryNormal, Data: payload(i, term, size)})
	}
	return ents
}

func mustSave(t testing.TB, s raft.LogStore, hs raft.HardState, ents []raft.Entry) {
	t.Helper()
	if err := s.Save(hs, ents); err != nil {
		t.Fatalf("Save(%+v, %d entries from %d): %v", hs, len(ents), firstIndexOf(ents), err)
	}
}

func firstIndexOf(ents []raft.Entry) uint64 {
	if len(ents) == 0 {
		return 0
	}
	return ents[0].Index
}

// checkLog asserts the store holds exactly want (with the given first
// index and snapshot) and hard state hs.
func checkLog(t testing.TB, s raft.Storage, first uint64, want []raft.Entry, hs raft.HardState) {
	t.Helper()
	fi, err := s.FirstIndex()
	if err != nil || fi != first {
		t.Fatalf("FirstIndex = %d, %v; want %d", fi, err, first)
	}
	li, err := s.LastIndex()
	if err != nil || li != first+uint64(len(want))-1 {
		t.Fatalf("LastIndex = %d, %v; want %d", li, err, first+uint64(len(want))-1)
	}
	got, err := s.Entries(first, li+1, ^uint64(0))
	if err != nil {
		t.Fatalf("Entries(%d, %d): %v", first, li+1, err)
	}
	if err := sameEntries(got, want); err != nil {
		t.Fatal(err)
	}
	for _, e := range want {
		if term, err := s.Term(e.Index); err != nil || term != e.Term {
			t.Fatalf("Term(%d) = %d, %v; want %d", e.Index, term, err, e.Term)
		}
	}
	gotHS, _, err := s.InitialState()
	if err != nil || gotHS != hs {
		t.Fatalf("InitialState hard state = %+v, %v; want %+v", gotHS, err, hs)
	}
}

func sameEntries(got, want []raft.Entry) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Index != w.Index || g.Term != w.Term || g.Type != w.Type || !bytes.Equal(g.Data, w.Data) {
			return fmt.Errorf("entry %d: got %d/%d/%v (%d bytes), want %d/%d/%v (%d bytes)",
				i, g.Index, g.Term, g.Type, len(g.Data), w.Index, w.Term, w.Type, len(w.Data))
		}
	}
	return nil
}

// segmentFiles returns the paths of dir's segments in order.
func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// copyDir copies the regular files of src (recursively) into dst.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if info.Name() == "LOCK" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func asCorruption(err error) *CorruptionError {
	var ce *CorruptionError
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

func saveInBatches(t testing.TB, s raft.LogStore, hs raft.HardState, ents []raft.Entry, n int) {
	t.Helper()
	for i := 0; i < len(ents); i += n {
		mustSave(t, s, hs, ents[i:min(i+n, len(ents))])
	}
}

// seedCount is how many seeds a randomized test runs: RESQLITE_SEEDS if
// set (as for the simulator), else def, or short with -short.
func seedCount(def, short int) int {
	if n, err := strconv.Atoi(os.Getenv("RESQLITE_SEEDS")); err == nil && n > 0 {
		return n
	}
	if testing.Short() {
		return short
	}
	return def
}
