package statemachine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

// dumpText dumps sm (or the tables matching patterns) into a string.
func dumpText(t *testing.T, sm *StateMachine, patterns ...string) (string, uint64) {
	t.Helper()
	return dumpWith(t, sm, DumpOptions{Tables: patterns})
}

// dumpWith dumps sm with opts into a string.
func dumpWith(t *testing.T, sm *StateMachine, opts DumpOptions) (string, uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b strings.Builder
	applied, err := sm.Dump(ctx, opts, func(uint64) io.Writer { return &b })
	if err != nil {
		t.Fatalf("Dump: %v", err)
	}
	return b.String(), applied
}

// The dump's exact text, as sqlite3's .dump writes it: tables with their
// rows (every type as a literal that reads back as the same value, text in
// date columns verbatim), sqlite_sequence, then indexes, triggers and
// views in creation order. (TestDumpMatchesSQLite3 compares with the CLI
// itself.)
func TestDumpText(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, b, c DATETIME)")
	mustExec(t, sm, "CREATE VIEW v AS SELECT a FROM t")
	mustExec(t, sm, "CREATE INDEX t_c ON t(c)")
	mustExec(t, sm, "CREATE TRIGGER tr AFTER DELETE ON t BEGIN SELECT 1; END")
	mustExec(t, sm, `CREATE TABLE "odd ""name"""(x)`)
	mustExec(t, sm, "INSERT INTO t(b, c) VALUES (1.0, '2024-01-02 03:04:05'), ('it''s', NULL), (X'00ff', 1e300), (X'', -0.5), (NULL, 7)")
	got, applied := dumpText(t, sm)
	want := `PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, b, c DATETIME);
INSERT INTO t VALUES(1,1.0,'2024-01-02 03:04:05');
INSERT INTO t VALUES(2,'it''s',NULL);
INSERT INTO t VALUES(3,X'00ff',1.0000000000000000047e+300);
INSERT INTO t VALUES(4,X'',-0.5);
INSERT INTO t VALUES(5,NULL,7);
CREATE TABLE IF NOT EXISTS "odd ""name"""(x);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('t',5);
CREATE VIEW v AS SELECT a FROM t;
CREATE INDEX t_c ON t(c);
CREATE TRIGGER tr AFTER DELETE ON t BEGIN SELECT 1; END;
COMMIT;
`
	if got != want {
		t.Errorf("dump:\n%s\nwant:\n%s", got, want)
	}
	if applied != sm.AppliedIndex() {
		t.Errorf("dump at index %d, applied %d", applied, sm.AppliedIndex())
	}
	if lit := realLiteral(math.Inf(-1)); lit != "-1e999" {
		t.Errorf("-Inf as %s", lit)
	}
	if lit := textLiteral("a\x00b"); lit != "CAST(X'610062' AS TEXT)" {
		t.Errorf("text with a NUL as %s", lit)
	}
}

// With table patterns only the objects whose own name matches one (LIKE:
// any case; "_" is one character) are dumped, tables with their rows, as
// sqlite3's .dump does: not the index p_x on p.
func TestDumpTables(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE big(x)")
	mustExec(t, sm, "INSERT INTO big VALUES (1)")
	mustExec(t, sm, "CREATE TABLE p(x INTEGER PRIMARY KEY AUTOINCREMENT)")
	mustExec(t, sm, "INSERT INTO p VALUES (3)")
	mustExec(t, sm, "CREATE INDEX p_x ON p(x)")
	mustExec(t, sm, "CREATE VIEW pv AS SELECT x FROM big")
	got, _ := dumpText(t, sm, "P", "nosuch")
	want := "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE p(x INTEGER PRIMARY KEY AUTOINCREMENT);\nINSERT INTO p VALUES(3);\nCOMMIT;\n"
	if got != want {
		t.Errorf(".dump P:\n%s\nwant:\n%s", got, want)
	}
	got, _ = dumpText(t, sm, "p_", "sqlite_seq%")
	want = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nDELETE FROM sqlite_sequence;\nINSERT INTO sqlite_sequence VALUES('p',3);\nCREATE VIEW pv AS SELECT x FROM big;\nCOMMIT;\n"
	if got != want {
		t.Errorf(".dump p_ sqlite_seq%%:\n%s\nwant:\n%s", got, want)
	}
}

// Long dumps are split into transaction blocks of about DumpBlockBytes.
func TestDumpBlocks(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
	mustExec(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 5000) INSERT INTO t SELECT x, hex(zeroblob(200)) FROM c")
	got, _ := dumpText(t, sm)
	blocks := strings.Split(got, "COMMIT;\nBEGIN TRANSACTION;\n")
	if len(blocks) < 2 {
		t.Fatalf("a dump of %d bytes is one block", len(got))
	}
	for _, b := range blocks {
		if len(b) > DumpBlockBytes+100 {
			t.Errorf("block of %d bytes", len(b))
		}
	}
}

// blockingWriter collects text; its first Write waits for release.
type blockingWriter struct {
	buf            bytes.Buffer
	first, release chan struct{}
}

func newBlockingWriter() *blockingWriter {
	return &blockingWriter{first: make(chan struct{}), release: make(chan struct{})}
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	if w.first != nil {
		close(w.first)
		w.first = nil
		<-w.release
	}
	return w.buf.Write(p)
}

// startDump runs Dump into a blockingWriter in the background and waits
// for its first write.
func startDump(t *testing.T, ctx context.Context, sm *StateMachine) (*blockingWriter, <-chan error) {
	t.Helper()
	w := newBlockingWriter()
	first := w.first
	done := make(chan error, 1)
	go func() {
		_, err := sm.Dump(ctx, DumpOptions{}, func(uint64) io.Writer { return w })
		done <- err
	}()
	select {
	case <-first:
	case err := <-done:
		t.Fatalf("dump ended before writing: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("dump did not start")
	}
	return w, done
}

// wait returns the error ch delivers within a bounded time.
func wait(t *testing.T, ch <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not end", what)
		return nil
	}
}

func fillRows(t *testing.T, sm *StateMachine, n int) {
	t.Helper()
	mustExec(t, sm, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
	mustExec(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < ?) INSERT INTO t SELECT x, hex(zeroblob(100)) FROM c", Integer(int64(n)))
}

// The end of the context cancels a running dump.
func TestDumpCanceledByContext(t *testing.T) {
	sm := openTest(t)
	fillRows(t, sm, 20000)
	ctx, cancel := context.WithCancel(context.Background())
	w, done := startDump(t, ctx, sm)
	cancel()
	close(w.release)
	if err := wait(t, done, "dump"); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled dump: %v", err)
	}
	// The reader is back in the pool, usable.
	if got, _ := dumpText(t, sm); !strings.Contains(got, "VALUES(20000,") {
		t.Fatal("dump after a canceled one is incomplete")
	}
}

// Close cancels a running dump and waits for it.
func TestDumpCanceledByClose(t *testing.T) {
	sm := openTest(t)
	fillRows(t, sm, 20000)
	w, done := startDump(t, context.Background(), sm)
	closed := make(chan error, 1)
	go func() { closed <- sm.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sm.WaitApplied(ctx, math.MaxUint64); !errors.Is(err, ErrClosed) {
		t.Fatalf("not closed: %v", err)
	}
	close(w.release)
	if err := wait(t, done, "dump"); !errors.Is(err, ErrClosed) {
		t.Fatalf("dump across Close: %v", err)
	}
	if err := wait(t, closed, "Close"); err != nil {
		t.Fatal(err)
	}
	if _, err := sm.Dump(ctx, DumpOptions{}, func(uint64) io.Writer { return io.Discard }); !errors.Is(err, ErrClosed) {
		t.Fatalf("dump after Close: %v", err)
	}
}

// A Restore while a dump runs does not show in the dump: the dump reads
// at its one applied index from start to end; the next dump reads the
// restored database.
func TestDumpAcrossRestore(t *testing.T) {
	sm := openTest(t)
	fillRows(t, sm, 5000)
	before, _ := dumpText(t, sm)
	other := openTest(t)
	mustExec(t, other, "CREATE TABLE other(x)")
	mustExec(t, other, "INSERT INTO other VALUES ('restored')")
	var snap bytes.Buffer
	if _, err := other.Snapshot(&snap); err != nil {
		t.Fatal(err)
	}
	after, _ := dumpText(t, other)

	w, done := startDump(t, context.Background(), sm)
	if err := sm.Restore(&snap); err != nil {
		t.Fatalf("restore during a dump: %v", err)
	}
	close(w.release)
	if err := wait(t, done, "dump"); err != nil {
		t.Fatal(err)
	}
	if w.buf.String() != before {
		t.Errorf("dump across a restore differs from the database before it (%d bytes, want %d)", w.buf.Len(), len(before))
	}
	if got, _ := dumpText(t, sm); got != after {
		t.Errorf("dump after the restore:\n%s\nwant:\n%s", got, after)
	}
}

// Dumps, which their readers pace, hold at most half the read
// connections: a second dump waits while the first runs, and queries still
// find a connection.
func TestDumpsLeaveReadConnections(t *testing.T) {
	sm := openTest(t) // two read connections
	fillRows(t, sm, 10)
	w, done := startDump(t, context.Background(), sm)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := sm.Dump(ctx, DumpOptions{}, func(uint64) io.Writer { return io.Discard }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second dump: %v, want it to wait", err)
	}
	if rows := query(t, sm, "SELECT count(*) FROM t"); rows[0][0].Int != 10 {
		t.Errorf("query during a dump: %v", rows)
	}
	close(w.release)
	if err := wait(t, done, "dump"); err != nil {
		t.Fatal(err)
	}
	if got, _ := dumpText(t, sm); !strings.Contains(got, "VALUES(10,") {
		t.Error("dump after the first one is incomplete")
	}
}

// A virtual table and its shadow tables are written in one transaction
// block, even where it grows past DumpBlockBytes: only the entry that
// creates a virtual table may load its shadow tables (RulesV6).
func TestDumpKeepsVirtualTableInOneBlock(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
	mustExec(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 3500) INSERT INTO t SELECT x, hex(zeroblob(100)) FROM c")
	mustExec(t, sm, "CREATE VIRTUAL TABLE ft USING fts5(x)")
	mustExec(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 3000) INSERT INTO ft SELECT printf('word%d common %s', x, hex(zeroblob(20))) FROM c")
	mustExec(t, sm, "CREATE TABLE after(a)")
	mustExec(t, sm, "INSERT INTO after VALUES (1)")
	got, _ := dumpText(t, sm)
	start := strings.Index(got, "INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','ft'")
	end := strings.LastIndex(got, "INSERT INTO ft_")
	if start < 0 || end < start {
		t.Fatalf("no virtual table in the dump:\n%.2000s", got)
	}
	if start > DumpBlockBytes || end < DumpBlockBytes {
		t.Fatalf("the test's virtual table spans bytes %d-%d: it must cross %d", start, end, DumpBlockBytes)
	}
	const split = "COMMIT;\nBEGIN TRANSACTION;\n"
	if i := strings.Index(got[start:end], split); i >= 0 {
		t.Errorf("the dump starts a new block %d bytes into the virtual table", i)
	}
	if !strings.Contains(got[end:], split) && strings.Count(got, split) == 0 {
		t.Error("no block was split at all")
	}
}
