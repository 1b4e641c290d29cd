package snap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

func testMeta() raft.SnapshotMeta {
	return raft.SnapshotMeta{Index: 42, Term: 7, Config: raft.Configuration{Members: []raft.Member{
		{ID: 1, Addr: "127.0.0.1:7001"}, {ID: 2, Addr: "127.0.0.1:7002", Learner: true}}}}
}

func writeSnapshot(t *testing.T, dir string, meta raft.SnapshotMeta, data []byte) string {
	t.Helper()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	path, err := w.Commit(meta)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteOpenRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte("0123456789abcdef"), 200000) // larger than the write buffer
	meta := testMeta()
	path := writeSnapshot(t, dir, meta, data)
	if path != Path(dir, meta) {
		t.Fatalf("Commit returned %s, want %s", path, Path(dir, meta))
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Meta.Index != 42 || r.Meta.Term != 7 || len(r.Meta.Config.Members) != 2 || r.Meta.Config.Members[1] != meta.Config.Members[1] || r.Size != int64(len(data)) {
		t.Fatalf("meta %+v size %d", r.Meta, r.Size)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("data: %d bytes, %v", len(got), err)
	}
}

func TestEmptyData(t *testing.T) {
	dir := t.TempDir()
	path := writeSnapshot(t, dir, testMeta(), nil)
	if _, err := Verify(path); err != nil {
		t.Fatal(err)
	}
}

func TestDamageIsDetected(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte("snapshot data "), 1000)
	path := writeSnapshot(t, dir, testMeta(), data)
	orig, _ := os.ReadFile(path)
	for off := 0; off < len(orig); off += 97 {
		b := append([]byte(nil), orig...)
		b[off] ^= 0x04
		os.WriteFile(path, b, 0o644)
		if _, err := Verify(path); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip at %d of %d: Verify = %v, want ErrCorrupt", off, len(b), err)
		}
	}
	for _, n := range []int{0, 10, len(orig) - 1} {
		os.WriteFile(path, orig[:n], 0o644)
		if _, err := Verify(path); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("file cut to %d bytes: Verify = %v, want ErrCorrupt", n, err)
		}
	}
}

func TestAbortAndPrune(t *testing.T) {
	dir := t.TempDir()
	old := raft.SnapshotMeta{Index: 10, Term: 1}
	writeSnapshot(t, dir, old, []byte("old"))
	cur := raft.SnapshotMeta{Index: 20, Term: 2}
	writeSnapshot(t, dir, cur, []byte("new"))
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("crashed before commit"))
	// Abort removes its temp file; a second writer is left as after a crash.
	w2, _ := Create(dir)
	w2.Write([]byte("x"))
	w.Abort()
	if _, err := w.Write([]byte("more")); err == nil {
		t.Fatal("Write after Abort succeeded")
	}
	os.WriteFile(filepath.Join(dir, "unrelated.txt"), []byte("keep"), 0o644)
	if err := Prune(dir, cur); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	want := []string{Path(dir, cur), filepath.Join(dir, "unrelated.txt")}
	if len(names) != 2 || names[0] != want[0] || names[1] != want[1] {
		t.Fatalf("after Prune: %v, want %v", names, want)
	}
}

func TestNames(t *testing.T) {
	term, index, ok := parseName(Name(3, 99))
	if !ok || term != 3 || index != 99 {
		t.Fatalf("parseName(Name(3, 99)) = %d, %d, %v", term, index, ok)
	}
	for _, bad := range []string{"x.snap", "0000000000000003-0000000000000063.snapx", "000000000000000z-0000000000000063.snap"} {
		if _, _, ok := parseName(bad); ok {
			t.Fatalf("parseName(%q) accepted", bad)
		}
	}
}

// FuzzDecodeMeta: any bytes decode or fail without panicking, bounded in
// what they allocate, and what decodes re-encodes identically.
func FuzzDecodeMeta(f *testing.F) {
	f.Add(EncodeMeta(nil, testMeta()))
	f.Add([]byte{})
	f.Add(append(make([]byte, 16), 0xff, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMeta(b)
		if err != nil {
			return
		}
		if !bytes.Equal(EncodeMeta(nil, m), b) {
			t.Fatal("metadata does not round-trip")
		}
	})
}

func TestMetaLimits(t *testing.T) {
	dir := t.TempDir()
	big := raft.SnapshotMeta{Index: 1, Term: 1, Config: raft.Configuration{Members: make([]raft.Member, maxMembers+1)}}
	longAddr := raft.SnapshotMeta{Index: 1, Term: 1, Config: raft.Configuration{Members: []raft.Member{{ID: 1, Addr: string(make([]byte, maxAddrSize+1))}}}}
	for _, m := range []raft.SnapshotMeta{big, longAddr} {
		if ValidateMeta(m) == nil {
			t.Fatalf("ValidateMeta accepted %d members", len(m.Config.Members))
		}
		w, err := Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(m); err == nil {
			t.Fatal("Commit accepted metadata DecodeMeta would refuse")
		}
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
		t.Fatalf("refused commits left %v", names)
	}
}
