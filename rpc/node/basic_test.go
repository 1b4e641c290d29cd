package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// mustExec runs a write and fails the test on any error.
func mustExec(t *testing.T, ctx context.Context, c *client.Client, sql ...string) *client.ExecResult {
	t.Helper()
	r, err := c.Exec(ctx, sql...)
	if err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
	if r.Err != nil {
		t.Fatalf("exec %q: %v", sql, r.Err)
	}
	return r
}

// count returns SELECT count(*) FROM table at level.
func count(t *testing.T, ctx context.Context, c *client.Client, level client.Consistency, table string) int64 {
	t.Helper()
	rows, err := c.Query(ctx, level, "SELECT count(*) FROM "+table)
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return rows.Rows[0][0].Int
}

// A single node founds a cluster, takes writes and reads, and reports
// its status.
func TestSingleNodeExecuteQueryStatus(t *testing.T) {
	c := startCluster(t, 1)
	ctx := ctxT(t, 30*time.Second)
	cl := c.client(1)
	mustExec(t, ctx, cl, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
	r := mustExec(t, ctx, cl, "INSERT INTO t (b) VALUES ('x'), ('y')")
	if r.Index == 0 || r.Statements[0].RowsAffected != 2 || r.Statements[0].LastInsertRowID != 2 {
		t.Fatalf("insert result %+v", r)
	}
	rows, err := cl.Query(ctx, client.Linearizable, "SELECT a, b FROM t ORDER BY a")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Rows) != 2 || rows.Rows[1][1].Text != "y" || rows.Columns[1] != "b" {
		t.Fatalf("rows %+v", rows)
	}
	st, err := cl.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.GetRole() != "leader" || st.GetLeaderId() != 1 || st.GetAppliedIndex() < r.Index || len(st.GetMembers()) != 1 {
		t.Fatalf("status %v", st)
	}
	// A runtime error is the statement's result, and writes nothing.
	r, err = cl.Exec(ctx, "INSERT INTO t (a, b) VALUES (1, 'dup')")
	if err != nil || r.Err == nil || r.Err.Code&0xff != 19 {
		t.Fatalf("duplicate key: %+v, %v", r, err)
	}
}

// In a three-node cluster a write at a follower is forwarded to the
// leader, and a linearizable read at the other follower sees it.
func TestFollowerWriteThenLinearizableReadAtOtherFollower(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, 60*time.Second)
	lead := c.waitLeader(10 * time.Second)
	fs := c.followers(lead)
	w, r := c.client(fs[0]), c.client(fs[1])
	mustExec(t, ctx, w, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
	for i := range 20 {
		mustExec(t, ctx, w, "INSERT INTO t (b) VALUES ('v')")
		// A fresh reader with no session index: only the linearizable
		// read guarantees it sees the write.
		if n := count(t, ctx, r, client.Linearizable, "t"); n != int64(i+1) {
			t.Fatalf("linearizable read at node %d saw %d rows after %d writes at node %d", fs[1], n, i+1, fs[0])
		}
	}
}
