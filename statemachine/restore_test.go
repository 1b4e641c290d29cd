package statemachine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"

	"github.com/resqlite/resqlite/raft"
)

// restoreEntries returns the entries, from index on, that restore file
// as restore id in chunks of size chunk, and its finishing entry.
func restoreEntries(index, id uint64, file []byte, chunk int) []raft.Entry {
	var out []raft.Entry
	for off := 0; off < len(file); off += chunk {
		data := file[off:min(off+chunk, len(file))]
		out = append(out, cmdEntry(index, Command{RestoreChunk: &RestoreChunk{ID: id, Offset: uint64(off), Data: data}}))
		index++
	}
	return append(out, cmdEntry(index, Command{RestoreFinish: &RestoreFinish{ID: id, Size: uint64(len(file)), SHA256: sha256.Sum256(file)}}))
}

func cmdEntry(index uint64, c Command) raft.Entry {
	return raft.Entry{Index: index, Term: 2, Type: raft.EntryNormal, Data: EncodeCommand(c)}
}

// backupBytes is sm's Backup, in memory.
func backupBytes(t *testing.T, sm *StateMachine) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := sm.Backup(context.Background(), func(uint64, int64) io.Writer { return &buf }); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	return buf.Bytes()
}

// applyAll applies entries in one call and returns their results.
func applyBatch(t *testing.T, sm *StateMachine, entries []raft.Entry) []*Result {
	t.Helper()
	res, err := sm.Apply(entries)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	out := make([]*Result, len(res))
	for i, r := range res {
		out[i], _ = r.(*Result)
	}
	return out
}

// Issue 17: a file sent in chunks through the log and finished replaces
// the user's database at the finishing entry's index, the same on a node
// that applies the whole restore in one batch (with entries after it) as
// on one that applies it entry by entry; sessions, applied index and
// rules survive; nothing stays staged; a restart keeps it.
func TestRestoreSwapsTheStagedFileAtItsIndex(t *testing.T) {
	src := openTest(t)
	mustExec(t, src, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB)")
	mustExec(t, src, "INSERT INTO t(b, c) WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 300) SELECT 'row ' || v, zeroblob(v * 10) FROM n")
	mustExec(t, src, "CREATE INDEX t_b ON t(b)")
	mustExec(t, src, "CREATE VIEW v AS SELECT count(*) FROM t")
	file := backupBytes(t, src)
	want := digest(t, src)

	dirA, dirB := t.TempDir(), t.TempDir()
	a, b := openAt(t, dirA), openAt(t, dirB)
	var log []raft.Entry
	log = append(log, sqlEntry(1, "CREATE TABLE old(x)"), sqlEntry(2, "INSERT INTO old VALUES (1)"),
		cmdEntry(3, Command{Register: true, Time: 1000}))
	rest := restoreEntries(4, 77, file, 4096)
	// A chunk sent again (its outcome was unknown) is staged once.
	rest = append(rest[:2], append([]raft.Entry{rest[1]}, rest[2:]...)...)
	for i := range rest {
		rest[i].Index = 4 + uint64(i)
	}
	log = append(log, rest...)
	last := log[len(log)-1].Index
	log = append(log, sqlEntry(last+1, "INSERT INTO t(b) VALUES ('after')"))

	resA := applyBatch(t, a, log)
	for _, e := range log {
		applyBatch(t, b, []raft.Entry{e})
	}
	for i, r := range resA {
		if r != nil && r.Err != nil {
			t.Fatalf("entry %d: %v", log[i].Index, r.Err)
		}
	}
	if a.AppliedIndex() != last+1 || b.AppliedIndex() != last+1 {
		t.Fatalf("applied %d and %d, want %d", a.AppliedIndex(), b.AppliedIndex(), last+1)
	}
	if da, db := digest(t, a), digest(t, b); da != db {
		t.Fatalf("digests differ: %v, %v", da, db)
	}
	mustExec(t, src, "INSERT INTO t(b) VALUES ('after')")
	want = digest(t, src)
	if got := digest(t, a); got.Sum != want.Sum {
		t.Fatalf("restored content differs from the source's")
	}
	if rows := query(t, a, "SELECT (SELECT count(*) FROM sqlite_schema WHERE name = 'old'), (SELECT count(*) FROM "+SessionsTable+"), (SELECT count(*) FROM "+RestoreTable+")"); rows[0][0].Int != 0 || rows[0][1].Int != 1 || rows[0][2].Int != 0 {
		t.Fatalf("old table, sessions, staged chunks: %v", rows)
	}
	if a.RulesVersion() != MaxRulesVersion {
		t.Fatalf("rules %d", a.RulesVersion())
	}
	a.Close()
	a2 := openAt(t, dirA)
	if a2.AppliedIndex() != last+1 || digest(t, a2).Sum != want.Sum {
		t.Fatalf("after a restart: applied %d", a2.AppliedIndex())
	}
}

// writeDB creates an SQLite file at path with the statements sqls.
func writeDB(t *testing.T, path string, sqls ...string) []byte {
	t.Helper()
	c, err := openConn(&sqlite.Driver{}, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sqls {
		if err := c.exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	c.close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Issue 17: a restore of a file that is no SQLite database, holds a
// reserved name or a statistics table, or does not match its size or
// checksum is refused as its finishing entry's result, drops what was
// staged and changes nothing else.
func TestRestoreRefusalsChangeNothing(t *testing.T) {
	dir := t.TempDir()
	good := writeDB(t, filepath.Join(dir, "good.db"), "CREATE TABLE g(x)", "INSERT INTO g VALUES (1)")
	cases := []struct {
		name string
		file []byte
		edit func(es []raft.Entry)
		want string
	}{
		{"not sqlite", bytes.Repeat([]byte("not a database "), 600), nil, "not an SQLite database"},
		{"reserved", writeDB(t, filepath.Join(dir, "r.db"), "CREATE TABLE _resqlite_mine(x)"), nil, "table _resqlite_mine is reserved"},
		{"reserved index", writeDB(t, filepath.Join(dir, "ri.db"), "CREATE TABLE u(x)", "CREATE INDEX _ReSqlite_i ON u(x)"), nil, "index _ReSqlite_i is reserved"},
		{"stats", writeDB(t, filepath.Join(dir, "s.db"), "CREATE TABLE u(x)", "CREATE INDEX ux ON u(x)", "INSERT INTO u VALUES (1), (1)", "ANALYZE"), nil, "table sqlite_stat1 is reserved"},
		{"corrupt", append(append([]byte{}, good[:len(good)/2]...), make([]byte, len(good)-len(good)/2)...), nil, ""},
		{"checksum", good, func(es []raft.Entry) {
			c, _ := DecodeCommand(es[len(es)-1].Data)
			c.RestoreFinish.SHA256[0] ^= 1
			es[len(es)-1].Data = EncodeCommand(c)
		}, "SHA-256"},
		{"size", good, func(es []raft.Entry) {
			c, _ := DecodeCommand(es[len(es)-1].Data)
			c.RestoreFinish.Size++
			es[len(es)-1].Data = EncodeCommand(c)
		}, "bytes are staged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sm := openTest(t)
			mustExec(t, sm, "CREATE TABLE keep(x)")
			mustExec(t, sm, "INSERT INTO keep VALUES ('mine')")
			before := digest(t, sm)
			es := restoreEntries(sm.AppliedIndex()+1, 5, tc.file, 1000)
			if tc.edit != nil {
				tc.edit(es)
			}
			res := applyBatch(t, sm, es)
			for _, r := range res[:len(res)-1] {
				if r.Err != nil {
					t.Fatalf("chunk %d refused: %v", r.Index, r.Err)
				}
			}
			fin := res[len(res)-1]
			if fin.Err == nil || !strings.Contains(fin.Err.Message, "restore refused, nothing changed") || !strings.Contains(fin.Err.Message, tc.want) {
				t.Fatalf("finish: %+v", fin.Err)
			}
			if got := digest(t, sm); got.Sum != before.Sum || sm.AppliedIndex() != es[len(es)-1].Index {
				t.Fatalf("content changed, or applied %d", sm.AppliedIndex())
			}
			if rows := query(t, sm, "SELECT count(*) FROM "+RestoreTable); rows[0][0].Int != 0 {
				t.Fatalf("%d chunks still staged", rows[0][0].Int)
			}
		})
	}
}

// Chunks must come in order from offset 0; offset 0 of another restore
// replaces what was staged.
func TestRestoreChunkOrder(t *testing.T) {
	sm := openTest(t)
	chunk := func(id, off uint64, data string) *Result {
		return applyBatch(t, sm, []raft.Entry{cmdEntry(sm.AppliedIndex()+1, Command{RestoreChunk: &RestoreChunk{ID: id, Offset: off, Data: []byte(data)}})})[0]
	}
	for _, c := range []struct {
		id, off uint64
		data    string
		want    string
	}{
		{1, 3, "abc", "restore 1 has nothing staged"},
		{1, 0, "abc", ""},
		{1, 6, "abc", "chunk at offset 6, but 3 bytes are staged"},
		{2, 3, "abc", "restore 1 is staged, not 2"},
		{1, 0, "abc", ""},
		{1, 3, "def", ""},
		{2, 0, "xy", ""},
		{2, 2, "z", ""},
	} {
		r := chunk(c.id, c.off, c.data)
		if (c.want == "") != (r.Err == nil) || r.Err != nil && !strings.Contains(r.Err.Message, c.want) {
			t.Fatalf("chunk %d@%d: %+v, want %q", c.id, c.off, r.Err, c.want)
		}
	}
	if rows := query(t, sm, "SELECT group_concat(CAST(data AS TEXT), '') FROM (SELECT data FROM "+RestoreTable+" ORDER BY chunk_offset)"); rows[0][0].Text != "xyz" {
		t.Fatalf("staged %v", rows)
	}
}

// Under rules version 3 a restore's entries are refused as their result
// and stage nothing (no RestoreTable exists); the switch to version 4
// creates it at its log position.
func TestRestoreUnderOldRulesIsRefused(t *testing.T) {
	sm, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: RulesV3})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	file := backupBytes(t, sm)
	res := applyBatch(t, sm, restoreEntries(1, 9, file, 1<<20))
	for _, r := range res {
		if r.Err == nil || !strings.Contains(r.Err.Message, "restores need rules version 4") {
			t.Fatalf("entry %d: %+v", r.Index, r.Err)
		}
	}
	if rows := query(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name = '"+RestoreTable+"'"); rows[0][0].Int != 0 {
		t.Fatal("RestoreTable exists under rules version 3")
	}
	applyBatch(t, sm, []raft.Entry{cmdEntry(sm.AppliedIndex()+1, Command{Rules: RulesV4})})
	if rows := query(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name = '"+RestoreTable+"'"); rows[0][0].Int != 1 {
		t.Fatal("the switch to rules version 4 created no RestoreTable")
	}
	res = applyBatch(t, sm, restoreEntries(sm.AppliedIndex()+1, 9, file, 1<<20))
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("entry %d under rules 4: %v", r.Index, r.Err)
		}
	}
}

// A file whose page size is not the node's is converted as it is swapped
// in (the backup API cannot copy between page sizes into a WAL database),
// with its content intact.
func TestRestoreConvertsPageSize(t *testing.T) {
	dir := t.TempDir()
	file := writeDB(t, filepath.Join(dir, "p.db"), "PRAGMA page_size = 1024", "CREATE TABLE p(a INTEGER PRIMARY KEY, b TEXT)",
		"WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 2000) INSERT INTO p(b) SELECT 'v' || v FROM n")
	ref := openTest(t)
	mustExec(t, ref, "CREATE TABLE p(a INTEGER PRIMARY KEY, b TEXT)")
	mustExec(t, ref, "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 2000) INSERT INTO p(b) SELECT 'v' || v FROM n")
	sm := openTest(t)
	res := applyBatch(t, sm, restoreEntries(1, 3, file, 1<<16))
	if fin := res[len(res)-1]; fin.Err != nil {
		t.Fatalf("finish: %v", fin.Err)
	}
	if got, want := digest(t, sm), digest(t, ref); got.Sum != want.Sum {
		t.Fatal("restored content differs")
	}
	if rows := query(t, sm, "PRAGMA page_size"); rows[0][0].Int != 4096 {
		t.Fatalf("page size %v", rows)
	}
}

// Staged chunks are part of the database, so a node that installs a
// snapshot taken mid-restore (or restarts) goes on from where the
// snapshot's log position had it, and ends identical.
func TestRestoreStagingSurvivesSnapshotAndRestart(t *testing.T) {
	src := openTest(t)
	mustExec(t, src, "CREATE TABLE s(a INTEGER PRIMARY KEY, b BLOB)")
	mustExec(t, src, "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 200) INSERT INTO s(b) SELECT zeroblob(100 + v) FROM n")
	file := backupBytes(t, src)
	es := restoreEntries(1, 42, file, 2048)
	half := len(es) / 2

	a := openTest(t)
	applyBatch(t, a, es[:half])
	var snap bytes.Buffer
	if _, err := a.Snapshot(&snap); err != nil {
		t.Fatal(err)
	}
	b := openTest(t)
	if err := b.Restore(&snap); err != nil {
		t.Fatal(err)
	}
	dirC := t.TempDir()
	c := openAt(t, dirC)
	applyBatch(t, c, es[:half])
	c.Close()
	c = openAt(t, dirC)
	for _, sm := range []*StateMachine{a, b, c} {
		res := applyBatch(t, sm, es[half:])
		if fin := res[len(res)-1]; fin.Err != nil {
			t.Fatalf("finish: %v", fin.Err)
		}
		if digest(t, sm).Sum != digest(t, src).Sum || sm.AppliedIndex() != es[len(es)-1].Index {
			t.Fatalf("content or applied index %d differs", sm.AppliedIndex())
		}
	}
}
