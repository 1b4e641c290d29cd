package repl

import (
	"reflect"
	"testing"
)

// The .dump idiom of a virtual table becomes what a write may run; other
// statements, and the idiom's statements outside writable_schema=ON, pass
// as they are.
func TestVTabLoadRewrite(t *testing.T) {
	var v vtabLoad
	sqls := func(sts []Statement) []string {
		var out []string
		for _, st := range sts {
			out = append(out, st.SQL)
		}
		return out
	}
	row := `INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','Big FT','Big FT',0,'CREATE VIRTUAL TABLE "Big FT" USING fts5(x, tokenize = ''porter'')');`
	steps := []struct {
		sql  string
		want []string // nil with handled false: sent as it is
		ok   bool
	}{
		{row, nil, false}, // writable_schema is off
		{"PRAGMA writable_schema=ON;", nil, true},
		{row, []string{`CREATE VIRTUAL TABLE "Big FT" USING fts5(x, tokenize = 'porter');`}, true},
		{"CREATE TABLE IF NOT EXISTS 'Big FT_data'(id INTEGER PRIMARY KEY, block BLOB);",
			[]string{"CREATE TABLE IF NOT EXISTS 'Big FT_data'(id INTEGER PRIMARY KEY, block BLOB);", `DELETE FROM "Big FT_data";`}, true},
		{"INSERT INTO \"Big FT_data\" VALUES(1,X'00');", nil, false},
		{"CREATE TABLE IF NOT EXISTS other_data(a);", nil, false}, // not a shadow table of it
		{"INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','x','x',0,'CREATE TABLE x(a)');", nil, false},
		{"PRAGMA writable_schema = off;", nil, true},
		{"CREATE TABLE IF NOT EXISTS 'Big FT_idx'(a);", nil, false}, // off again
	}
	for _, s := range steps {
		got, ok := v.rewrite(Statement{SQL: s.sql, Line: 7})
		if ok != s.ok || !reflect.DeepEqual(sqls(got), s.want) {
			t.Fatalf("%s: %q %v, want %q %v", s.sql, sqls(got), ok, s.want, s.ok)
		}
	}
}
