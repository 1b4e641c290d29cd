package remote

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/repl"
)

// largeRead is the benchmark suite's large-result read (benchmarks/):
// rows of an INTEGER, a short TEXT, an INTEGER and a REAL.
const largeRead = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < %d) " +
	"SELECT x, 'item-' || x, x * 7919 %% 1000, (x %% 1000) + 0.25 FROM c;\n"

// BenchmarkLargeReadListMode runs the suite's 100k-row read through a
// node in this process and the REPL in list mode, output discarded (one
// op = one read of 100k rows): the node's and the client's read path in
// one profile.
func BenchmarkLargeReadListMode(b *testing.B) {
	c := startNode(b)
	script := fmt.Sprintf(largeRead, 100000)
	b.ResetTimer()
	for range b.N {
		sh := repl.NewShell(c, repl.Options{Mode: repl.ModeList, Stdout: io.Discard, Stderr: io.Discard})
		if err := sh.RunBatch(context.Background(), strings.NewReader(script)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPointReads runs point SELECTs one after the other through
// the REPL in batch mode, as the suite's rOnly does (one op = one
// SELECT): the per-statement cost of a read.
func BenchmarkPointReads(b *testing.B) {
	c := startNode(b)
	ctx := context.Background()
	if _, err := c.Execute(ctx, repl.Entry{Statements: []string{"CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL)",
		"INSERT INTO t SELECT value, 'name ' || value, value * 1.5 FROM generate_series(1, 1000)"}}); err != nil {
		b.Fatal(err)
	}
	var script strings.Builder
	for i := range b.N {
		fmt.Fprintf(&script, "SELECT * FROM t WHERE id = %d;\n", i%1000+1)
	}
	sh := repl.NewShell(c, repl.Options{Mode: repl.ModeList, Stdout: io.Discard, Stderr: io.Discard})
	b.ResetTimer()
	if err := sh.RunBatch(ctx, strings.NewReader(script.String())); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPointReadsLocal is BenchmarkPointReads at consistency local:
// the per-statement cost without the read index.
func BenchmarkPointReadsLocal(b *testing.B) {
	c := startNode(b)
	ctx := context.Background()
	if _, err := c.Execute(ctx, repl.Entry{Statements: []string{"CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL)",
		"INSERT INTO t SELECT value, 'name ' || value, value * 1.5 FROM generate_series(1, 1000)"}}); err != nil {
		b.Fatal(err)
	}
	script := strings.Builder{}
	script.WriteString(".consistency local\n")
	for i := range b.N {
		fmt.Fprintf(&script, "SELECT * FROM t WHERE id = %d;\n", i%1000+1)
	}
	sh := repl.NewShell(c, repl.Options{Mode: repl.ModeList, Stdout: io.Discard, Stderr: io.Discard})
	b.ResetTimer()
	if err := sh.RunBatch(ctx, strings.NewReader(script.String())); err != nil {
		b.Fatal(err)
	}
}
