package sqldriver_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// A statement's SQL error comes back as a *client.SQLError, from Exec and
// from Query; a write sent as a query fails (reads run read-only); a
// missing argument or an unknown name is an error, never a NULL.
func testErrors(t *testing.T, c *testCluster) {
	ctx := testCtx(t)
	db := open(t, c.follower())
	mustExec(t, ctx, db, "CREATE TABLE e (id INTEGER PRIMARY KEY)")
	var se *client.SQLError
	if _, err := db.ExecContext(ctx, "INSERT INTO nosuch VALUES (1)"); !errors.As(err, &se) || se.Kind != sqlval.ErrorParse {
		t.Fatalf("exec on a missing table: %v", err)
	}
	if _, err := db.QueryContext(ctx, "SELECT * FROM nosuch"); !errors.As(err, &se) || !strings.Contains(se.Message, "nosuch") {
		t.Fatalf("query of a missing table: %v", err)
	}
	if _, err := db.QueryContext(ctx, "INSERT INTO e VALUES (1)"); err == nil {
		t.Fatal("a write sent as a query succeeded")
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO e VALUES (?)"); err == nil || !strings.Contains(err.Error(), "takes 1 arguments, got 0") {
		t.Fatalf("insert without its argument: %v", err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO e VALUES (:id)", sql.Named("other", 1)); !errors.As(err, &se) || !strings.Contains(se.Message, ":other") {
		t.Fatalf("insert with an unknown name: %v", err)
	}
	if n := count(t, ctx, db, "e"); n != 0 {
		t.Fatalf("%d rows after failed writes, want 0", n)
	}
}
