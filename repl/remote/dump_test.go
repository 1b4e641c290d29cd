package remote

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc"
)

// countingStream counts the SQL bytes of the Dump chunks it receives.
type countingStream struct {
	grpc.ClientStream
	n *atomic.Int64
}

func (s countingStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if c, ok := m.(*resqlitepb.DumpChunk); ok && err == nil {
		s.n.Add(int64(len(c.GetSql())))
	}
	return err
}

// .dump TABLE is filtered by the service: the client receives the named
// table's text, not the whole database's.
func TestDumpOfOneTableStreamsOnlyThatTable(t *testing.T) {
	node := startNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, sql := range []string{
		"CREATE TABLE big(a INTEGER PRIMARY KEY, b TEXT)",
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 10000) INSERT INTO big SELECT x, hex(zeroblob(100)) FROM c",
		"CREATE TABLE small(x)",
		"INSERT INTO small VALUES (1)",
		"CREATE INDEX small_x ON small(x)",
	} {
		if rs, err := node.Execute(ctx, repl.Entry{Statements: []string{sql}}); err != nil || rs[0].Err != nil {
			t.Fatalf("%s: %v %+v", sql, err, rs)
		}
	}
	var streamed atomic.Int64
	count := func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s, err := streamer(ctx, desc, cc, method, opts...)
		return countingStream{s, &streamed}, err
	}
	c, err := Dial(ctx, node.RPC().Addr(), client.Options{DialOptions: []grpc.DialOption{grpc.WithStreamInterceptor(count)}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out strings.Builder
	if err := c.Dump(ctx, &out, sqlval.DumpOptions{Tables: []string{"SMALL%"}}); err != nil {
		t.Fatal(err)
	}
	want := "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE small(x);\nINSERT INTO small VALUES(1);\nCREATE INDEX small_x ON small(x);\nCOMMIT;\n"
	if out.String() != want {
		t.Errorf(".dump SMALL%%:\n%s\nwant:\n%s", out.String(), want)
	}
	if n := streamed.Load(); n != int64(len(want)) {
		t.Errorf(".dump SMALL%% streamed %d bytes of SQL text for %d bytes of output", n, len(want))
	}
}
