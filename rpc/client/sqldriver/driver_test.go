package sqldriver_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/client/sqldriver"
)

// TestDriver runs the driver against one real 3-node cluster, through a
// follower (which forwards writes to the leader) unless a case says
// otherwise.
func TestDriver(t *testing.T) {
	c := startCluster(t)
	t.Run("Placeholders", func(t *testing.T) { testPlaceholders(t, c) })
	t.Run("TransactionIsAtomic", func(t *testing.T) { testTransactionIsAtomic(t, c) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, c) })
	t.Run("ReadInTransaction", func(t *testing.T) { testReadInTransaction(t, c) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, c) })
	t.Run("Cancel", func(t *testing.T) { testCancel(t, c) })
	t.Run("Consistency", func(t *testing.T) { testConsistency(t, c) })
	t.Run("FallbackAndDriverOpen", func(t *testing.T) { testFallbackAndDriverOpen(t, c) })
}

// Every placeholder style binds as a parameter (a value that looks like
// SQL is stored as it is), Result reports the rowid and the count, and
// rows come back with their names and Go types.
func testPlaceholders(t *testing.T, c *testCluster) {
	ctx := testCtx(t)
	db := open(t, c.follower())
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, db, "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB, note TEXT)")
	evil := "x'); DROP TABLE p; --"
	inserts := []struct {
		query string
		args  []any
	}{
		{"INSERT INTO p (name, score, data) VALUES (?, ?, ?)", []any{evil, 1.5, []byte{0, 1}}},
		{"INSERT INTO p (name, score) VALUES (?2, ?1)", []any{2.5, "qnnn"}},
		{"INSERT INTO p (name, score) VALUES (:name, :score)", []any{sql.Named("name", "colon"), sql.Named("score", 3.5)}},
		{"INSERT INTO p (name, score) VALUES (@name, @score)", []any{sql.Named("name", "at"), sql.Named("score", 4)}},
		{"INSERT INTO p (name, score) VALUES ($name, $score)", []any{sql.Named("score", 5.5), sql.Named("name", "dollar")}},
	}
	for i, in := range inserts {
		r := mustExec(t, ctx, db, in.query, in.args...)
		id, err := r.LastInsertId()
		n, err2 := r.RowsAffected()
		if err != nil || err2 != nil || id != int64(i+1) || n != 1 {
			t.Fatalf("%s: LastInsertId %d %v, RowsAffected %d %v", in.query, id, err, n, err2)
		}
	}
	stmt, err := db.PrepareContext(ctx, "UPDATE p SET note = ? WHERE id > ?")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	if r, err := stmt.ExecContext(ctx, "later", 3); err != nil {
		t.Fatal(err)
	} else if n, _ := r.RowsAffected(); n != 2 {
		t.Fatalf("prepared UPDATE changed %d rows, want 2", n)
	}
	checkPlaceholderRows(t, ctx, db, evil)
}

func checkPlaceholderRows(t *testing.T, ctx context.Context, db *sql.DB, evil string) {
	t.Helper()
	rows, err := db.QueryContext(ctx, "SELECT id, name, score, data, note FROM p WHERE id >= ? ORDER BY id", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil || !slices.Equal(cols, []string{"id", "name", "score", "data", "note"}) {
		t.Fatalf("columns %v %v", cols, err)
	}
	want := [][]any{
		{int64(1), evil, 1.5, []byte{0, 1}, nil},
		{int64(2), "qnnn", 2.5, nil, nil},
		{int64(3), "colon", 3.5, nil, nil},
		{int64(4), "at", 4.0, nil, "later"},
		{int64(5), "dollar", 5.5, nil, "later"},
	}
	var got [][]any
	for rows.Next() {
		row := make([]any, 5)
		ptrs := make([]any, 5)
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		got = append(got, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		for j := range want[i] {
			if !sameValue(got[i][j], want[i][j]) {
				t.Errorf("row %d column %s = %#v, want %#v", i, cols[j], got[i][j], want[i][j])
			}
		}
	}
}

func sameValue(a, b any) bool {
	if x, ok := a.([]byte); ok {
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	return a == b
}

// A transaction is one entry: a failing statement rolls back the ones
// before it; a good one applies every statement, and its Results are
// known after Commit only.
func testTransactionIsAtomic(t *testing.T, c *testCluster) {
	ctx := testCtx(t)
	db := open(t, c.follower())
	mustExec(t, ctx, db, "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
	mustExec(t, ctx, db, "INSERT INTO a VALUES (1, 'one')")
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, tx, "INSERT INTO a VALUES (2, 'two')")
	mustExec(t, ctx, tx, "UPDATE a SET v = 'changed' WHERE id = 1")
	mustExec(t, ctx, tx, "INSERT INTO a VALUES (1, 'duplicate')")
	err = tx.Commit()
	var se *client.SQLError
	if !errors.As(err, &se) || se.Statement != 2 {
		t.Fatalf("commit of a failing transaction: %v (SQLError %+v)", err, se)
	}
	var v string
	if err := db.QueryRowContext(ctx, "SELECT v FROM a WHERE id = 1").Scan(&v); err != nil || v != "one" || count(t, ctx, db, "a") != 1 {
		t.Fatalf("after the failed commit: v=%q %v, %d rows; want nothing of it applied", v, err, count(t, ctx, db, "a"))
	}
	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	r2 := mustExec(t, ctx, tx, "INSERT INTO a (v) VALUES (?)", "two")
	r3 := mustExec(t, ctx, tx, "INSERT INTO a (v) VALUES (:v)", sql.Named("v", "three"))
	if _, err := r2.LastInsertId(); !errors.Is(err, sqldriver.ErrResultPending) {
		t.Fatalf("LastInsertId before Commit: %v, want ErrResultPending", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	id2, err2 := r2.LastInsertId()
	id3, err3 := r3.LastInsertId()
	if id2 != 2 || id3 != 3 || err2 != nil || err3 != nil {
		t.Fatalf("LastInsertId after Commit: %d %v, %d %v", id2, err2, id3, err3)
	}
	if n := count(t, ctx, db, "a"); n != 3 {
		t.Fatalf("%d rows after the commit, want 3", n)
	}
}

// Rollback discards the statements: nothing reaches the cluster.
func testRollback(t *testing.T, c *testCluster) {
	ctx := testCtx(t)
	db := open(t, c.follower())
	mustExec(t, ctx, db, "CREATE TABLE r (v)")
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, tx, "INSERT INTO r VALUES (1)")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, db, "INSERT INTO r VALUES (2)")
	var v int64
	if err := db.QueryRowContext(ctx, "SELECT sum(v) FROM r").Scan(&v); err != nil || v != 2 {
		t.Fatalf("sum after rollback = %d %v, want 2", v, err)
	}
}

// A read inside a transaction fails with ErrReadInTransaction (it could
// not see the transaction's writes); so does a read-only transaction.
func testReadInTransaction(t *testing.T, c *testCluster) {
	ctx := testCtx(t)
	db := open(t, c.follower())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.QueryContext(ctx, "SELECT 1"); !errors.Is(err, sqldriver.ErrReadInTransaction) {
		t.Fatalf("read in a transaction: %v", err)
	}
	if _, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); !errors.Is(err, sqldriver.ErrReadInTransaction) {
		t.Fatalf("read-only transaction: %v", err)
	}
	if _, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadUncommitted}); err == nil {
		t.Fatal("a read-uncommitted transaction was accepted")
	}
}
