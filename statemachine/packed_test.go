package statemachine

import (
	"context"
	"math"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
)

// queryPacked runs sql with QueryPacked, cutting chunks of at least
// chunkBytes, and returns the columns and the decoded rows of every chunk.
func queryPacked(t *testing.T, sm *StateMachine, sql string, chunkBytes int) ([]string, [][]Value, int) {
	t.Helper()
	var enc rowpack.Encoder
	var cols []string
	var rows [][]Value
	chunks := 0
	take := func() {
		_, got, err := rowpack.Values(enc.Bytes())
		if err != nil {
			t.Fatalf("chunk %d: %v", chunks, err)
		}
		rows = append(rows, got...)
		chunks++
		enc.Begin(nil, len(cols))
	}
	err := sm.QueryPacked(context.Background(), sql, nil, PackedSink{
		Enc:     &enc,
		Columns: func(c []string) error { cols = c; enc.Begin(nil, len(c)); return nil },
		Row: func(context.Context) error {
			if enc.Len() >= chunkBytes {
				take()
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	take()
	return cols, rows, chunks
}

// TestQueryPackedKeepsEveryValueExact: the packed rows SQLite's columns
// are appended to decode to exactly the values QueryEach hands over:
// int64 extremes, -0.0 and the infinities, TEXT with NULs and invalid
// UTF-8, an empty BLOB apart from NULL.
func TestQueryPackedKeepsEveryValueExact(t *testing.T) {
	sm := openTest(t)
	sql := "SELECT -9223372036854775808, 9223372036854775807, -0.0, 1e999, -1e999, 0.1, " +
		"CAST(x'610062' AS TEXT), CAST(x'e9ff' AS TEXT), '', x'', NULL, x'00ff'"
	cols, rows, _ := queryPacked(t, sm, sql, 1<<16)
	want := query(t, sm, sql)
	if len(cols) != 12 || len(rows) != 1 {
		t.Fatalf("%d columns, %d rows", len(cols), len(rows))
	}
	for i, v := range want[0] {
		if got := rows[0][i]; !got.Equal(v) {
			t.Errorf("column %d: %v (%v) came back as %v (%v)", i, v, v.Type, got, got.Type)
		}
	}
	if !math.Signbit(rows[0][2].Real) {
		t.Error("-0.0 lost its sign")
	}
	if rows[0][9].Type != TypeBlob || rows[0][10].Type != TypeNull {
		t.Errorf("empty blob %v, NULL %v", rows[0][9].Type, rows[0][10].Type)
	}
}

// TestQueryPackedChunksByBytes: a large result comes in chunks cut at the
// size the sink asks for, every row once and in order.
func TestQueryPackedChunksByBytes(t *testing.T) {
	sm := openTest(t)
	_, rows, chunks := queryPacked(t, sm, "SELECT value, 'item-' || value FROM generate_series(1, 20000)", 8<<10)
	if len(rows) != 20000 || rows[0][0].Int != 1 || rows[19999][1].Text != "item-20000" {
		t.Fatalf("%d rows", len(rows))
	}
	if chunks < 20 {
		t.Errorf("20000 rows of ~15 bytes came in %d chunks of 8 KiB", chunks)
	}
}
