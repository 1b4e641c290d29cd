package statemachine

import (
	"context"
	"reflect"
	"testing"
)

// FuzzDecodeCommand: any payload decodes or fails cleanly, and what decodes
// survives a re-encode unchanged.
func FuzzDecodeCommand(f *testing.F) {
	f.Add(EncodeCommand(Command{Statements: []Statement{{SQL: "SELECT 1"}}}))
	f.Add(EncodeCommand(Command{Statements: []Statement{
		{SQL: "INSERT INTO t VALUES (?, :b, ?)", Params: []Param{{Value: Integer(-7)}, {Name: ":b", Value: Blob([]byte{0, 1})}, {Value: Real(2.5)}}},
		{SQL: "UPDATE t SET x = ?", Params: []Param{{Value: Text("ü")}, {Value: Null()}}},
	}}))
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCommand(data)
		if err != nil {
			return
		}
		again, err := DecodeCommand(EncodeCommand(c))
		if err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("re-encode changed %+v into %+v (%v)", c, again, err)
		}
	})
}

// FuzzPrecheck: the classifier never panics or hangs, whatever the text.
func FuzzPrecheck(f *testing.F) {
	sm := openTest(f)
	mustExec(f, sm, determinismSchema)
	for _, s := range []string{
		"INSERT INTO t VALUES (random())", "SELECT 1; SELECT 2", "CREATE TEMP TABLE x(y)",
		"ATTACH 'a' AS b", "PRAGMA foreign_keys=ON", "INSERT INTO trig VALUES (1)",
		"WITH c(r) AS (SELECT random()) INSERT INTO t SELECT r FROM c", "VACUUM INTO 'x'",
		"BEGIN; INSERT INTO t VALUES (1); COMMIT", "-- only a comment", "SELECT 'unterminated",
		"CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END", "\x00", "",
	} {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, sql string) {
		chk, err := sm.Precheck(ctx, sql)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q: %v is not a statement error", sql, err)
			}
			return
		}
		if chk.ReadOnly && chk.Deferred {
			t.Fatalf("%q: read-only and deferred", sql)
		}
	})
}
