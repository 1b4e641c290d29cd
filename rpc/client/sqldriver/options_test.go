package sqldriver_test

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/resqlite/resqlite/rpc/client/sqldriver"
)

// Every consistency level reads; all connections of a sql.DB are one
// session, so a write on one is seen by a local read on another.
func testConsistency(t *testing.T, c *testCluster) {
	ctx := testCtx(t)
	mustExec(t, ctx, open(t, c.follower()), "CREATE TABLE levels (v)")
	for i, level := range []string{"linearizable", "lease", "local"} {
		db := open(t, c.follower()+"?consistency="+level)
		first, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		second, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, ctx, first, "INSERT INTO levels VALUES (?)", level)
		var n int64
		if err := second.QueryRowContext(ctx, "SELECT count(*) FROM levels").Scan(&n); err != nil || n != int64(i+1) {
			t.Fatalf("%s read on a second connection after the write on the first: %d %v, want %d", level, n, err, i+1)
		}
		first.Close()
		second.Close()
	}
}

// A first address that cannot be reached is skipped for the next; a
// connection opened by Driver.Open alone works and closes its client.
func testFallbackAndDriverOpen(t *testing.T, c *testCluster) {
	ctx := testCtx(t)
	db := open(t, "127.0.0.1:1,"+c.follower()+"?connect_timeout=500ms")
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("ping through the fall-back address: %v", err)
	}
	conn, err := sqldriver.Driver{}.Open(c.nodes[c.leader].Addr())
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.(driver.Pinger).Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := conn.(driver.Pinger).Ping(context.Background()); err == nil {
		t.Fatal("a closed connection answered a ping")
	}
}
