package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// instantClient answers every request at once with an empty result: it
// isolates the REPL's own cost per statement (grouping, splitting,
// classification, pipelining bookkeeping, printing).
// Only the methods a batch of SQL uses do anything.
type instantClient struct{}

var errInstantClient = errors.New("instant client: benchmark double has no cluster")

func (instantClient) Status(context.Context) (Status, error)       { return Status{}, errInstantClient }
func (instantClient) Members(context.Context) ([]Member, error)    { return nil, errInstantClient }
func (instantClient) TakeSnapshot(context.Context) (uint64, error) { return 0, errInstantClient }
func (instantClient) TransferLeadership(context.Context, uint64) (uint64, error) {
	return 0, errInstantClient
}
func (instantClient) RemoveMember(context.Context, uint64) error { return errInstantClient }
func (instantClient) Dump(context.Context, io.Writer, sqlval.DumpOptions) error {
	return errInstantClient
}

func (instantClient) Execute(_ context.Context, e Entry) ([]Result, error) {
	return make([]Result, len(e.Statements)), nil
}

func (instantClient) Query(context.Context, string, Consistency, ...Param) (Result, error) {
	return Result{Columns: []string{"a", "b"}, Rows: [][]Value{{Integer(1), Real(22.49)}, {Text("x"), Null()}}}, nil
}

func (c instantClient) Pipeline(context.Context) (Pipeline, error) {
	return &syncPipeline{client: c}, nil
}

// BenchmarkBatchInserts measures the REPL's cost per statement of a
// pipelined batch of single-row inserts (one op = one statement).
func BenchmarkBatchInserts(b *testing.B) {
	var script strings.Builder
	for i := 0; i < b.N; i++ {
		fmt.Fprintf(&script, "INSERT INTO t(id, name, score) VALUES (%d, 'name %d', %d.5);\n", i, i, i)
	}
	sh := NewShell(instantClient{}, Options{Mode: ModeList, Stdout: io.Discard, Stderr: io.Discard})
	b.ResetTimer()
	if err := sh.RunBatch(context.Background(), strings.NewReader(script.String())); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFormatReal measures SQLite-3.40-exact REAL formatting.
func BenchmarkFormatReal(b *testing.B) {
	for i := 0; i < b.N; i++ {
		formatReal(float64(i)*1.37e-3, textRealPrecision)
	}
}

// BenchmarkQueryOutput measures printing a small result in each mode
// (one op = one query of two rows).
func BenchmarkQueryOutput(b *testing.B) {
	for _, mode := range []Mode{ModeList, ModeCSV, ModeJSON, ModeTable} {
		b.Run(string(mode), func(b *testing.B) {
			script := strings.Repeat("SELECT a, b FROM t;\n", b.N)
			sh := NewShell(instantClient{}, Options{Mode: mode, Stdout: io.Discard, Stderr: io.Discard})
			b.ResetTimer()
			if err := sh.RunBatch(context.Background(), strings.NewReader(script)); err != nil {
				b.Fatal(err)
			}
		})
	}
}
