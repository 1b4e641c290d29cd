package statemachine

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

func TestSnapshotRestore(t *testing.T) {
	src := openTest(t)
	mustExec(t, src, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t(v)")
	for i := range 50 {
		mustExec(t, src, "INSERT INTO t(v) VALUES (?)", Text(string(rune('a'+i%26))))
	}
	cfg := []byte("config bytes")
	if _, err := src.Apply([]raft.Entry{{Index: src.AppliedIndex() + 1, Type: raft.EntryConfig, Data: cfg}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	idx, err := src.Snapshot(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if idx != src.AppliedIndex() || idx != 52 {
		t.Fatalf("snapshot index %d, applied %d", idx, src.AppliedIndex())
	}
	mustExec(t, src, "INSERT INTO t(v) VALUES ('after')")

	dst := openTest(t)
	mustExec(t, dst, "CREATE TABLE other(x); INSERT INTO other VALUES (1)")
	// Queries running during the restore see the old or the new database.
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				readErr <- nil
				return
			default:
			}
			if _, err := dst.Query(context.Background(), "SELECT count(*) FROM sqlite_schema"); err != nil {
				readErr <- err
				return
			}
		}
	}()
	err = dst.Restore(bytes.NewReader(buf.Bytes()))
	close(stop)
	if rerr := <-readErr; rerr != nil {
		t.Fatalf("query during restore: %v", rerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if dst.AppliedIndex() != 52 {
		t.Fatalf("restored applied %d", dst.AppliedIndex())
	}
	if ci, c := dst.Config(); ci != 52 || !bytes.Equal(c, cfg) {
		t.Fatalf("restored config %d %q", ci, c)
	}
	if rows := query(t, dst, "SELECT count(*) FROM sqlite_schema WHERE name = 'other'"); !rows[0][0].Equal(Integer(0)) {
		t.Fatalf("old table survived the restore")
	}
	res, err := dst.Apply([]raft.Entry{sqlEntry(53, "INSERT INTO t(v) VALUES ('after')")})
	if err != nil || res[0].(*Result).Err != nil {
		t.Fatalf("apply after restore: %v %v", err, res)
	}
	if a, b := digest(t, src), digest(t, dst); a != b {
		t.Fatalf("digests differ: %v vs %v", a, b)
	}
	// Restart after the restore resumes at the restored index.
	dir := dst.dir
	dst.Close()
	again := openAt(t, dir)
	if again.AppliedIndex() != 53 {
		t.Fatalf("applied after restart %d", again.AppliedIndex())
	}
}

func TestRestoreRejectsBadStreams(t *testing.T) {
	src := openTest(t)
	mustExec(t, src, "CREATE TABLE t(x); INSERT INTO t VALUES (1)")
	var buf bytes.Buffer
	if _, err := src.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	dst := openTest(t)
	mustExec(t, dst, "CREATE TABLE keep(x)")
	before := digest(t, dst)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x40
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-10],
		"flipped":   flipped,
		"magic":     append([]byte("XXXXXXXX"), good[8:]...),
	} {
		err := dst.Restore(bytes.NewReader(data))
		if !errors.Is(err, ErrBadSnapshot) {
			t.Errorf("%s: %v, want ErrBadSnapshot", name, err)
		}
	}
	if after := digest(t, dst); after != before {
		t.Fatalf("a bad snapshot changed the database")
	}
	mustExec(t, dst, "INSERT INTO keep VALUES (1)")
}

func TestRestartResumesAfterAppliedIndex(t *testing.T) {
	dir := t.TempDir()
	sm := openAt(t, dir)
	entries := []raft.Entry{
		sqlEntry(1, "CREATE TABLE t(x)"),
		sqlEntry(2, "INSERT INTO t VALUES (1)"),
		sqlEntry(3, "INSERT INTO t VALUES (2)"),
	}
	if _, err := sm.Apply(entries); err != nil {
		t.Fatal(err)
	}
	sm.Close()
	sm = openAt(t, dir)
	if sm.AppliedIndex() != 3 {
		t.Fatalf("applied %d after restart", sm.AppliedIndex())
	}
	// Replaying already applied entries is a no-op; the gap check holds.
	res, err := sm.Apply(append(entries, sqlEntry(4, "INSERT INTO t VALUES (3)")))
	if err != nil || res[0] != nil || res[3].(*Result).Err != nil {
		t.Fatalf("replay: %v %v", res, err)
	}
	if rows := query(t, sm, "SELECT count(*) FROM t"); !rows[0][0].Equal(Integer(3)) {
		t.Fatalf("rows %v", rows)
	}
	if _, err := sm.Apply([]raft.Entry{sqlEntry(9, "INSERT INTO t VALUES (9)")}); err == nil {
		t.Fatal("an entry after a gap was applied")
	}
}

func TestWaitApplied(t *testing.T) {
	sm := openTest(t)
	done := make(chan error, 1)
	go func() { done <- sm.WaitApplied(context.Background(), 2) }()
	mustExec(t, sm, "CREATE TABLE t(x)")
	select {
	case err := <-done:
		t.Fatalf("returned at index 1: %v", err)
	default:
	}
	mustExec(t, sm, "INSERT INTO t VALUES (1)")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sm.WaitApplied(ctx, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled wait: %v", err)
	}
}

func TestQueryCancel(t *testing.T) {
	sm := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := sm.Query(ctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled query: %v", err)
	}
	query(t, sm, "SELECT 1")
}

// TestDigestCoversEveryTable: the digest changes with any row of any table
// (rowid, WITHOUT ROWID, a virtual table's shadow tables, AUTOINCREMENT's
// sqlite_sequence), and equal content gives equal digests.
func TestDigestCoversEveryTable(t *testing.T) {
	build := func(last string) Digest {
		sm := openTest(t)
		mustExec(t, sm, `CREATE TABLE r(a, b); CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID;
			CREATE VIRTUAL TABLE f USING fts5(body); CREATE TABLE s(id INTEGER PRIMARY KEY AUTOINCREMENT, x)`)
		mustExec(t, sm, "INSERT INTO r VALUES (1, 'x'); INSERT INTO w VALUES ('k', 1); INSERT INTO f VALUES ('hello world'); INSERT INTO s(x) VALUES (1)")
		if last != "" {
			mustExec(t, sm, last)
		} else {
			mustExec(t, sm, "SELECT 1")
		}
		return digest(t, sm)
	}
	base := build("")
	if again := build(""); again != base {
		t.Fatalf("same content, digests %v and %v", base, again)
	}
	for _, change := range []string{
		"UPDATE r SET b = 'y'",
		"UPDATE r SET rowid = 5",
		"UPDATE w SET v = 2",
		"INSERT INTO f VALUES ('more')",
		"DELETE FROM s",
		"CREATE INDEX r_a ON r(a)",
	} {
		if d := build(change); d.Sum == base.Sum {
			t.Errorf("%q left the digest unchanged", change)
		}
	}
}

// TestDigestIgnoresPageLayout: the same content built in a different order
// (so tables get different root pages) has the same digest.
func TestDigestIgnoresPageLayout(t *testing.T) {
	a, b := openTest(t), openTest(t)
	mustExec(t, a, "CREATE TABLE x(v); CREATE TABLE y(v)")
	mustExec(t, b, "CREATE TABLE tmp(v); CREATE TABLE y(v); CREATE TABLE x(v); DROP TABLE tmp")
	for _, sm := range []*StateMachine{a, b} {
		mustExec(t, sm, "INSERT INTO x VALUES (1); INSERT INTO y VALUES (2)")
	}
	if rows := query(t, b, "SELECT rootpage FROM sqlite_schema WHERE name = 'x'"); rows[0][0].Equal(query(t, a, "SELECT rootpage FROM sqlite_schema WHERE name = 'x'")[0][0]) {
		t.Fatal("the two databases have the same layout; the test proves nothing")
	}
	if da, db := digest(t, a), digest(t, b); da != db {
		t.Fatalf("same content, digests %v and %v", da, db)
	}
}
