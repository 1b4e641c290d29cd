package node_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Bytes that are not UTF-8 (SQLite stores them as TEXT and hands them back
// as they are) travel unchanged through a node in every place a user can
// put them: SQL text, TEXT values, parameter names, column names, SQL
// error messages, dump text and .dump's table patterns.
func TestInvalidUTF8TravelsUnchanged(t *testing.T) {
	c := startCluster(t, 1)
	ctx := ctxT(t, 30*time.Second)
	cl := c.client(1)
	const bad = "caf\xe9\xff"
	mustExec(t, ctx, cl, "CREATE TABLE \"t"+bad+"\" (s)")
	r, err := cl.Execute(ctx, client.Statement{
		SQL:    "INSERT INTO \"t" + bad + "\" VALUES ('" + bad + "'), (:n" + bad + ") RETURNING s AS \"c" + bad + "\"",
		Params: []client.Param{{Name: ":n" + bad, Value: sqlval.Text(bad + "2")}},
	})
	if err != nil || r.Err != nil {
		t.Fatalf("insert: %v %v", err, r.Err)
	}
	st := r.Statements[0]
	if len(st.Columns) != 1 || st.Columns[0] != "c"+bad || len(st.Rows) != 2 || st.Rows[0][0].Text != bad || st.Rows[1][0].Text != bad+"2" {
		t.Fatalf("insert returned %q %v", st.Columns, st.Rows)
	}
	rows, err := cl.Query(ctx, client.Linearizable, "SELECT s AS \"c"+bad+"\", :p"+bad+" FROM \"t"+bad+"\" WHERE s = '"+bad+"'",
		client.Param{Name: ":p" + bad, Value: sqlval.Text(bad)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Columns) != 2 || rows.Columns[0] != "c"+bad || rows.Columns[1] != ":p"+bad || len(rows.Rows) != 1 || rows.Rows[0][0].Text != bad || rows.Rows[0][1].Text != bad {
		t.Fatalf("query returned %q %v", rows.Columns, rows.Rows)
	}
	_, err = cl.Query(ctx, client.Linearizable, "SELECT * FROM \"u"+bad+"\"")
	var se *client.SQLError
	if !errors.As(err, &se) || se.Message != "no such table: u"+bad {
		t.Fatalf("read error %v, want no such table: u%s", err, bad)
	}
	r, err = cl.Exec(ctx, "INSERT INTO \"u"+bad+"\" VALUES (1)")
	if err != nil || r.Err == nil || r.Err.Message != "no such table: u"+bad {
		t.Fatalf("write error %v %v, want no such table: u%s", err, r.Err, bad)
	}
	var dump strings.Builder
	if _, err := cl.Dump(ctx, &dump, "t"+bad); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CREATE TABLE IF NOT EXISTS \"t" + bad + "\" (s);\n", "INSERT INTO \"t" + bad + "\" VALUES('" + bad + "');\n"} {
		if !strings.Contains(dump.String(), want) {
			t.Errorf("dump of table t%s lacks %q:\n%q", bad, want, dump.String())
		}
	}
}
