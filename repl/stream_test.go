package repl

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
)

// generated is a RowSource of n rows (i, 'row i') made batch by batch;
// before each batch after the second it checks that the rows two batches
// back reached out already: the shell prints rows as they arrive instead
// of gathering the result (held rows stay one batch).
type generated struct {
	t          *testing.T
	n, batch   int
	next       int
	out        *countingWriter
	minPerRow  int
	heldRows   int // rows the shell may hold before printing (table modes)
	violations int
}

func (g *generated) Next() ([][]Value, error) {
	if g.next >= g.n {
		return nil, io.EOF
	}
	if printedBefore := g.next - g.heldRows - 2*g.batch; printedBefore > 0 {
		// The shell's output buffer holds up to 4 KiB.
		if got := g.out.n.Load(); got+4096 < int64(printedBefore*g.minPerRow) {
			g.violations++
		}
	}
	var rows [][]Value
	for i := 0; i < g.batch && g.next < g.n; i++ {
		g.next++
		rows = append(rows, []Value{Integer(int64(g.next)), Text(fmt.Sprintf("row %d", g.next))})
	}
	return rows, nil
}

func (g *generated) Close() {}

type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// streamingDouble answers every read with a generated stream.
type streamingDouble struct {
	*localSQLiteDouble
	gen func() *generated
}

func (d *streamingDouble) QueryStream(context.Context, string, Consistency, ...Param) (Result, error) {
	return Result{Columns: []string{"i", "name"}, More: d.gen()}, nil
}

// A streamed read is printed as its rows arrive in the streaming modes,
// and after the first widthRows rows in the table modes, never gathered
// whole.
func TestStreamedRowsArePrintedAsTheyArrive(t *testing.T) {
	for _, mode := range []string{"list", "csv", "json", "line", "quote", "tabs", "html", "insert", "ascii", "table", "box", "column", "markdown"} {
		out := &countingWriter{}
		var g *generated
		held := 0
		if m, _ := ParseMode(mode); m.tabular() {
			held = widthRows
		}
		d := &streamingDouble{localSQLiteDouble: newLocalSQLiteDouble(t), gen: func() *generated {
			g = &generated{t: t, n: 20000, batch: 100, out: out, minPerRow: 5, heldRows: held}
			return g
		}}
		sh := NewShell(d, Options{Stdout: out, Stderr: io.Discard, NoPipeline: true})
		if err := sh.RunBatch(context.Background(), strings.NewReader(".mode "+mode+"\nSELECT i, name FROM t;\n")); err != nil {
			t.Fatal(err)
		}
		sh.Close()
		if g == nil || g.next != g.n {
			t.Fatalf("%s: the stream was not read to its end", mode)
		}
		if g.violations > 0 {
			t.Errorf("%s: %d batches were asked for before the rows two batches earlier were printed", mode, g.violations)
		}
	}
}

// The table modes set their column widths from the first widthRows rows
// of a stream: a wider value later is cut into lines of that width.
func TestTableWidthsFromFirstRows(t *testing.T) {
	d := newLocalSQLiteDouble(t)
	script := ".mode table\nCREATE TABLE t(a);\n" +
		"INSERT INTO t SELECT 'x' FROM generate_series(1, 1000);\n" +
		"INSERT INTO t VALUES ('wider');\n" +
		"SELECT a FROM t;\n"
	var out strings.Builder
	sh := NewShell(d, Options{Stdout: &out, Stderr: io.Discard, NoPipeline: true})
	if err := sh.RunBatch(context.Background(), strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	sh.Close()
	lines := strings.Split(out.String(), "\n")
	want := []string{"| x |", "+---+", "| w |", "| i |", "| d |", "| e |", "| r |", "+---+", ""}
	if lines[0] != "+---+" || lines[3] != "| x |" || strings.Join(lines[1002:], "\n") != strings.Join(want, "\n") {
		t.Fatalf("table of 1001 rows: head %q, tail %q", lines[:4], lines[1002:])
	}
}
