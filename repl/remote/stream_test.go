package remote

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/resqlite/resqlite/repl"
)

// In a pipeline, a write that follows a streamed read is sent once the
// read's first chunk arrived, while the read's rows are still coming (here:
// not taken at all), and the read still returns the state before the
// write. The result (~75 MB) is larger than one gRPC message may be, so
// it could not have arrived whole before the write was sent.
func TestPipelinedWriteWaitsOnlyForReadsFirstChunk(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 250,000 rows")
	}
	c := startNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Execute(ctx, repl.Entry{Statements: []string{
		"CREATE TABLE t(a, b)",
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 250000) INSERT INTO t SELECT x, printf('%0300d', x) FROM c",
	}, Block: true}); err != nil {
		t.Fatal(err)
	}
	p, err := c.Pipeline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Submit(repl.Request{Read: true, Query: "SELECT a, b FROM t", Stream: true, Level: repl.Local}); err != nil {
		t.Fatal(err)
	}
	if err := p.Submit(repl.Request{Entry: repl.Entry{Statements: []string{"DELETE FROM t"}}}); err != nil {
		t.Fatal(err)
	}
	read, err := p.Next()
	if err != nil || read.Err != nil || len(read.Results) != 1 || read.Results[0].More == nil {
		t.Fatalf("streamed read: %+v %v", read, err)
	}
	// The write applies while the read's rows wait to be taken.
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := c.Query(ctx, "SELECT count(*) FROM t", repl.Local)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rows[0][0].Int == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the write after the streamed read did not apply while the read's rows were untaken")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rows := len(read.Results[0].Rows)
	for {
		more, err := read.Results[0].More.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows += len(more)
	}
	if rows != 250000 {
		t.Fatalf("the read returned %d rows, want the 250000 before the write", rows)
	}
	w, err := p.Next()
	if err != nil || w.Err != nil || w.Results[0].RowsAffected != 250000 {
		t.Fatalf("write: %+v %v", w, err)
	}
}
