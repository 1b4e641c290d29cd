package remote

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// startNode starts a single-node cluster in this process on a free
// loopback port (another port when that one was taken meanwhile) and
// returns a connected adapter.
func startNode(t testing.TB) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var n *node.Node
	for attempt := 0; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		n, err = node.Start(ctx, node.Config{
			ID: 1, Peers: []raft.Member{{ID: 1, Addr: addr}}, DataDir: filepath.Join(t.TempDir(), "node-1"),
		})
		if err == nil {
			break
		}
		if attempt == 5 || !strings.Contains(err.Error(), "listen") {
			t.Fatalf("start node: %v", err)
		}
	}
	t.Cleanup(func() { n.Stop() })
	c, err := Dial(ctx, n.Addr(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRemoteAgainstARealNode(t *testing.T) {
	c := startNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	rs, err := c.Execute(ctx, repl.Entry{Statements: []string{"CREATE TABLE t(a INTEGER PRIMARY KEY, b, c UNIQUE)"}})
	if err != nil || len(rs) != 1 || rs[0].Err != nil {
		t.Fatalf("create: %v %+v", err, rs)
	}
	rs, err = c.Execute(ctx, repl.Entry{Statements: []string{"INSERT INTO t VALUES(1, 2.5, 'x'), (2, NULL, X'00ff')"}})
	if err != nil || len(rs) != 1 || rs[0].Err != nil || rs[0].RowsAffected != 2 || rs[0].LastInsertRowID != 2 {
		t.Fatalf("insert: %v %+v", err, rs)
	}

	t.Run("values keep their types", func(t *testing.T) {
		for _, level := range []repl.Consistency{repl.Linearizable, repl.Lease, repl.Local} {
			r, err := c.Query(ctx, "SELECT a, b, c, 3.0, 'héllo' FROM t ORDER BY a", level)
			if err != nil || r.Err != nil {
				t.Fatalf("%v: %v %v", level, err, r.Err)
			}
			want := [][]repl.Value{
				{repl.Integer(1), repl.Real(2.5), repl.Text("x"), repl.Real(3), repl.Text("héllo")},
				{repl.Integer(2), repl.Null(), repl.Blob([]byte{0, 0xff}), repl.Real(3), repl.Text("héllo")},
			}
			if !reflect.DeepEqual(r.Columns, []string{"a", "b", "c", "3.0", "'héllo'"}) || !reflect.DeepEqual(r.Rows, want) {
				t.Fatalf("%v: %+v", level, r)
			}
		}
	})

	t.Run("parse and runtime errors", func(t *testing.T) {
		rs, err := c.Execute(ctx, repl.Entry{Statements: []string{"INSERT INTO t VALUES(3, 0, 'x')"}})
		if err != nil || len(rs) != 1 || rs[0].Err == nil {
			t.Fatalf("duplicate: %v %+v", err, rs)
		}
		if e := *rs[0].Err; e.Code != 19 || e.Phase != repl.PhaseRuntime || e.Message != "UNIQUE constraint failed: t.c" {
			t.Errorf("constraint error %+v", e)
		}
		rs, err = c.Execute(ctx, repl.Entry{Statements: []string{"INSERT INTO t VALUES(3) frm"}})
		if err != nil || rs[0].Err == nil || rs[0].Err.Phase != repl.PhaseParse || rs[0].Err.Code != 1 || !strings.Contains(rs[0].Err.Message, "syntax error") {
			t.Errorf("syntax error: %v %+v", err, rs)
		}
		r, err := c.Query(ctx, "SELECT * FROM nosuch", repl.Linearizable)
		if err != nil || r.Err == nil || r.Err.Phase != repl.PhaseParse || r.Err.Message != "no such table: nosuch" {
			t.Errorf("read parse error: %v %+v", err, r.Err)
		}
		r, err = c.Query(ctx, "DELETE FROM t", repl.Linearizable)
		if err != nil || r.Err == nil {
			t.Errorf("a write sent as a read must fail as a statement error: %v %+v", err, r)
		}
		rs, err = c.Execute(ctx, repl.Entry{Statements: []string{"INSERT INTO t(b) VALUES(random())"}})
		if err != nil || rs[0].Err == nil || !strings.Contains(rs[0].Err.Message, "random") {
			t.Errorf("non-deterministic write: %v %+v", err, rs)
		}
	})

	t.Run("a failed block applies nothing and names its statement", func(t *testing.T) {
		rs, err := c.Execute(ctx, repl.Entry{Block: true, Statements: []string{
			"INSERT INTO t VALUES(10, 1, 'p')", "SELECT count(*) FROM t", "INSERT INTO t VALUES(11, 1, 'x')", "INSERT INTO t VALUES(12, 1, 'q')",
		}})
		if err != nil || len(rs) != 3 || rs[2].Err == nil || rs[0].Err != nil || rs[1].Err != nil {
			t.Fatalf("block: %v %+v", err, rs)
		}
		r, _ := c.Query(ctx, "SELECT count(*) FROM t", repl.Linearizable)
		if !reflect.DeepEqual(r.Rows, [][]repl.Value{{repl.Integer(2)}}) {
			t.Errorf("rows after failed block: %+v", r.Rows)
		}
	})

	t.Run("non-block entry applies statement by statement", func(t *testing.T) {
		rs, err := c.Execute(ctx, repl.Entry{Statements: []string{"INSERT INTO t VALUES(20, 1, 'n1')", "INSERT INTO t VALUES(21, 1, 'x')", "INSERT INTO t VALUES(22, 1, 'n3')"}})
		if err != nil || len(rs) != 2 || rs[1].Err == nil {
			t.Fatalf("%v %+v", err, rs)
		}
		r, _ := c.Query(ctx, "SELECT a FROM t WHERE a >= 20", repl.Linearizable)
		if !reflect.DeepEqual(r.Rows, [][]repl.Value{{repl.Integer(20)}}) {
			t.Errorf("rows: %+v", r.Rows)
		}
		c.Execute(ctx, repl.Entry{Statements: []string{"DELETE FROM t WHERE a >= 20"}})
	})

	t.Run("pipeline", func(t *testing.T) {
		p, err := c.Pipeline(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		reqs := []repl.Request{
			{Entry: repl.Entry{Statements: []string{"CREATE TABLE p(x)"}}},
			{Entry: repl.Entry{Statements: []string{"INSERT INTO p VALUES(1)"}}},
			{Entry: repl.Entry{Statements: []string{"INSERT INTO p VALUES(2)", "INSERT INTO nosuch VALUES(1)"}, Block: true}},
			{Read: true, Query: "SELECT sum(x) FROM p"},
			{Read: true, Query: "SELECT * FROM nosuch"},
			{Entry: repl.Entry{Statements: []string{"INSERT INTO p VALUES(3)"}}},
			{Read: true, Query: "SELECT sum(x) FROM p", Level: repl.Local},
		}
		for _, r := range reqs {
			if err := p.Submit(r); err != nil {
				t.Fatal(err)
			}
		}
		var replies []repl.Reply
		for range reqs {
			r, err := p.Next()
			if err != nil || r.Err != nil {
				t.Fatalf("next: %v %v", err, r.Err)
			}
			replies = append(replies, r)
		}
		if len(replies[2].Results) != 2 || replies[2].Results[1].Err == nil || replies[2].Results[1].Err.Phase != repl.PhaseParse {
			t.Errorf("failed block in pipeline: %+v", replies[2].Results)
		}
		if !reflect.DeepEqual(replies[3].Results[0].Rows, [][]repl.Value{{repl.Integer(1)}}) {
			t.Errorf("read after writes: %+v", replies[3].Results)
		}
		if replies[4].Results[0].Err == nil {
			t.Errorf("read error in pipeline: %+v", replies[4].Results)
		}
		if !reflect.DeepEqual(replies[6].Results[0].Rows, [][]repl.Value{{repl.Integer(4)}}) {
			t.Errorf("local read after writes: %+v", replies[6].Results)
		}
	})

	t.Run("cluster commands", func(t *testing.T) {
		st, err := c.Status(ctx)
		if err != nil || st.NodeID != 1 || st.Role != "leader" || st.LeaderID != 1 || len(st.Members) != 1 || st.AppliedIndex == 0 {
			t.Fatalf("status: %v %+v", err, st)
		}
		ms, err := c.Members(ctx)
		if err != nil || len(ms) != 1 || ms[0].Role != "leader" || !ms[0].Voter || !ms[0].Reachable {
			t.Fatalf("members: %v %+v", err, ms)
		}
		index, err := c.TakeSnapshot(ctx)
		if err != nil || index == 0 {
			t.Errorf("snapshot: %v %d", err, index)
		}
		if _, err := c.TransferLeadership(ctx, 7); err == nil {
			t.Error("transfer to a non-member succeeded")
		}
		if err := c.RemoveMember(ctx, 9); err == nil {
			t.Error("removing a non-member succeeded")
		}
		var dump strings.Builder
		if err := c.Dump(ctx, &dump, sqlval.DumpOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(dump.String(), "CREATE TABLE p(x);\n") || !strings.Contains(dump.String(), "INSERT INTO p VALUES(3);\n") {
			t.Errorf("dump:\n%s", dump.String())
		}
		rs, err := c.Execute(ctx, repl.Entry{Statements: []string{"CREATE TRIGGER p_ins AFTER INSERT ON p BEGIN\n  UPDATE t SET b = 'a;\nb' WHERE a = -1;\nEND"}})
		if err != nil || rs[0].Err != nil {
			t.Fatalf("create trigger: %v %+v", err, rs)
		}
		c.Execute(ctx, repl.Entry{Statements: []string{"CREATE INDEX t_b ON t(b)"}})
		c.Execute(ctx, repl.Entry{Statements: []string{"INSERT INTO p VALUES('multi\nline;\ntext')"}})
		var part strings.Builder
		if err := c.Dump(ctx, &part, sqlval.DumpOptions{Tables: []string{"P", `p\_ins`}, Newlines: true}); err != nil {
			t.Fatal(err)
		}
		want := "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE p(x);\nINSERT INTO p VALUES(1);\nINSERT INTO p VALUES(3);\nINSERT INTO p VALUES('multi\nline;\ntext');\n" +
			"CREATE TRIGGER p_ins AFTER INSERT ON p BEGIN\n  UPDATE t SET b = 'a;\nb' WHERE a = -1;\nEND;\nCOMMIT;\n"
		if part.String() != want {
			t.Errorf(".dump --newlines P p\\_ins:\n%s\nwant:\n%s", part.String(), want)
		}
		part.Reset()
		if err := c.Dump(ctx, &part, sqlval.DumpOptions{Tables: []string{"nosuch%"}}); err != nil || part.String() != "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCOMMIT;\n" {
			t.Errorf(".dump of no table: %v %q", err, part.String())
		}
	})

	t.Run("cancelled read is interrupted", func(t *testing.T) {
		cctx, ccancel := context.WithCancel(ctx)
		ccancel()
		r, err := c.Query(cctx, "SELECT 1", repl.Linearizable)
		if err != nil || r.Err == nil || r.Err.Code != 9 {
			t.Errorf("cancelled read: %v %+v", err, r.Err)
		}
	})
}

func TestDialDeadAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err = Dial(ctx, addr, client.Options{ConnectTimeout: 500 * time.Millisecond})
	if err == nil {
		t.Fatal("dial of a dead address succeeded")
	}
	if !strings.HasPrefix(err.Error(), "cannot connect to "+addr) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q", err)
	}
	if errors.Is(err, repl.ErrOutcomeUnknown) {
		t.Error("a failed dial is not an unknown outcome")
	}
	if time.Since(start) > 8*time.Second {
		t.Errorf("dial took %v", time.Since(start))
	}
}
