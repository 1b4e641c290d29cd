package repl

import (
	"reflect"
	"strings"
	"testing"
)

// A write over the statement limit is sent with its long literals as
// parameters of the same values and types; names, comments, short
// literals and statements that are not writes of values stay as written.
func TestLiftLiterals(t *testing.T) {
	long := strings.Repeat("ab", 600000)
	sql := `INSERT INTO "it's ""x""" /* 'not a literal' */ VALUES(1, 'short', '` + strings.ReplaceAll(long+"'q", "'", "''") +
		`', X'` + long + `', replace('` + long + `\n','\n',char(10)), x'zz` + long + `');`
	got := liftLiterals(Statement{SQL: sql, Line: 3})
	wantSQL := `INSERT INTO "it's ""x""" /* 'not a literal' */ VALUES(1, 'short', ?1, ?2, replace(?3,'\n',char(10)), x'zz` + long + `');`
	if got.SQL != wantSQL {
		t.Fatalf("lifted SQL:\n%.300s\nwant\n%.300s", got.SQL, wantSQL)
	}
	blob := make([]byte, 600000)
	for i := range blob {
		blob[i] = 0xab
	}
	want := []Param{{Value: Text(long + "'q")}, {Value: Blob(blob)}, {Value: Text(long + `\n`)}}
	if !reflect.DeepEqual(got.lifted, want) || got.Line != 3 {
		t.Fatalf("lifted params differ (line %d)", got.Line)
	}
	for _, keep := range []string{
		"INSERT INTO t VALUES('" + long[:1000] + "');", // under the limit
		"CREATE TABLE t(a DEFAULT '" + long + "');",    // not a write of values
		"INSERT INTO t VALUES(?, '" + long + "');",     // has parameters of its own
	} {
		if got := liftLiterals(Statement{SQL: keep}); got.SQL != keep || got.lifted != nil {
			t.Errorf("%.60s… was changed", keep)
		}
	}
}
