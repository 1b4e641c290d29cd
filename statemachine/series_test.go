package statemachine

import (
	"context"
	"strings"
	"testing"
)

// TestGenerateSeriesInReads: generate_series works in reads as in the
// sqlite3 3.40 CLI (series.c): defaults, steps, descending order, NULLs,
// hidden columns and rowids. (Writes: serieswrite_test.go.)
func TestGenerateSeriesInReads(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(a)")
	ctx := context.Background()
	cases := []struct {
		sql  string
		want []int64
	}{
		{"SELECT value FROM generate_series(1, 3)", []int64{1, 2, 3}},
		{"SELECT value FROM generate_series(1, 10, 3)", []int64{1, 4, 7, 10}},
		{"SELECT value FROM generate_series(1, 10, -3)", []int64{10, 7, 4, 1}},
		{"SELECT value FROM generate_series(10, 1, -3)", nil},
		{"SELECT value FROM generate_series(1, 3, 0)", []int64{1, 2, 3}},
		{"SELECT value FROM generate_series(4294967294)", []int64{4294967294, 4294967295}},
		{"SELECT value FROM generate_series(1, 3) ORDER BY value DESC", []int64{3, 2, 1}},
		{"SELECT value FROM generate_series(1.5, 3.5)", []int64{1, 2, 3}},
		{"SELECT value FROM generate_series('a', 2)", []int64{0, 1, 2}},
		{"SELECT value FROM generate_series(NULL, 3)", nil},
		{"SELECT rowid * 100 + value FROM generate_series(5, 7)", []int64{105, 206, 307}},
		{"SELECT start + stop + step FROM generate_series(0, 4, 2) LIMIT 1", []int64{6}},
		{"SELECT value FROM generate_series(9223372036854775806, 9223372036854775807)", []int64{9223372036854775806, 9223372036854775807}},
		{"SELECT g.value FROM (SELECT 2 AS n) JOIN generate_series(1, n) g", []int64{1, 2}},
	}
	for _, c := range cases {
		rows, err := sm.Query(ctx, c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		var got []int64
		for _, r := range rows.Rows {
			got = append(got, r[0].Int)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %v, want %v", c.sql, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%s: %v, want %v", c.sql, got, c.want)
			}
		}
	}
	if _, err := sm.Query(ctx, "SELECT * FROM generate_series"); err == nil || !strings.Contains(err.Error(), `first argument to "generate_series()" missing or unusable`) {
		t.Fatalf("no start: %v", err)
	}
}

// A user's table named generate_series is what reads of that name see, as
// in sqlite3 (where the table comes before the built-in); once it is
// dropped, the built-in is back. Reads run on pooled connections, so each
// is tried several times.
func TestUserTableNamedGenerateSeriesWinsInReads(t *testing.T) {
	sm := openTest(t)
	ctx := context.Background()
	// Every pooled connection reads first, so each has probed (and
	// remembers) the schema without the user's table.
	for range 8 {
		if _, err := sm.Query(ctx, "SELECT value FROM generate_series(1, 2)"); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(t, sm, "CREATE TABLE Generate_Series(a)")
	mustExec(t, sm, "INSERT INTO generate_series VALUES (42)")
	for range 8 {
		rows, err := sm.Query(ctx, "SELECT a FROM generate_series")
		if err != nil || len(rows.Rows) != 1 || rows.Rows[0][0].Int != 42 {
			t.Fatalf("read of the user's generate_series table: %v %v", rows, err)
		}
	}
	mustExec(t, sm, "DROP TABLE generate_series")
	for range 8 {
		rows, err := sm.Query(ctx, "SELECT value FROM generate_series(1, 2)")
		if err != nil || len(rows.Rows) != 2 {
			t.Fatalf("built-in generate_series after the user's table was dropped: %v %v", rows, err)
		}
	}
}

// A user's table named generate_series is dumped and digested as a table
// like any other, not as the read connection's TEMP generate_series
// (which the dump's and the digest's names would otherwise find first).
func TestUserTableNamedGenerateSeriesDumpsAndDigests(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE generate_series(a, b)")
	mustExec(t, sm, "INSERT INTO generate_series VALUES (1, 'x')")
	for range 4 { // on every pooled read connection
		got, _ := dumpText(t, sm)
		if !strings.Contains(got, "INSERT INTO generate_series VALUES(1,'x');\n") {
			t.Fatalf("dump:\n%s", got)
		}
		digest(t, sm)
	}
}

// A dump drops a read connection's TEMP generate_series; the next read on
// that connection puts it back although the schema did not change since
// the connection last checked it (beginSnapshot skips its check while the
// schema cookie stays the same).
func TestGenerateSeriesBackAfterDumpOnSameConnection(t *testing.T) {
	sm, err := Open(t.TempDir(), Options{ReadConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	ctx := context.Background()
	mustExec(t, sm, "CREATE TABLE t(a)")
	for round := range 2 {
		rows, err := sm.Query(ctx, "SELECT value FROM generate_series(1, 3)")
		if err != nil || len(rows.Rows) != 3 {
			t.Fatalf("round %d: generate_series(1, 3): %v %v", round, rows, err)
		}
		dumpText(t, sm)
	}
}
