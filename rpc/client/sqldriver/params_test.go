package sqldriver

import (
	"database/sql/driver"
	"reflect"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

func TestScanPlaceholders(t *testing.T) {
	for query, want := range map[string]map[string][]string{
		"SELECT :a, @b, $c, :a, @a":                  {"a": {":a", "@a"}, "b": {"@b"}, "c": {"$c"}},
		"SELECT ':x', \":y\", `:z`, [:w], :v":        {"v": {":v"}},
		"SELECT 'it''s :x', :y -- :z\n, /* :q */ :r": {"y": {":y"}, "r": {":r"}},
		"SELECT ?, ?2, :, @ , $":                     {},
		"SELECT :é_1":                                {"é_1": {":é_1"}},
		"SELECT ':unterminated":                      {},
	} {
		if got := scanPlaceholders(query).named; !reflect.DeepEqual(got, want) {
			t.Errorf("scanPlaceholders(%q).named = %v, want %v", query, got, want)
		}
	}
	for query, want := range map[string]int{
		"SELECT 1": 0, "SELECT ?, ?": 2, "SELECT ?2, ?1": 2, "SELECT ?3": 3, "SELECT ?, ?5, ?": 6,
		"SELECT ?2, ?": 3, "SELECT '?', \"?\", [?], ? -- ?\n /* ? */": 1, "SELECT ?1, ?1": 1,
	} {
		if got := scanPlaceholders(query).positional; got != want {
			t.Errorf("scanPlaceholders(%q).positional = %d, want %d", query, got, want)
		}
	}
}

func TestBindParams(t *testing.T) {
	when := time.Date(2026, 12, 7, 12, 0, 0, 5, time.UTC)
	blob := []byte{1, 2}
	got, err := bindParams("INSERT INTO t VALUES (?, :n, @n, ?)", []driver.NamedValue{
		{Ordinal: 1, Value: int64(7)}, {Name: "n", Ordinal: 2, Value: "x"}, {Ordinal: 3, Value: blob},
		{Name: "absent", Ordinal: 4, Value: nil}, {Ordinal: 5, Value: true}, {Ordinal: 6, Value: 1.5}, {Ordinal: 7, Value: when},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []client.Param{
		{Value: sqlval.Integer(7)}, {Name: ":n", Value: sqlval.Text("x")}, {Name: "@n", Value: sqlval.Text("x")},
		{Value: sqlval.Blob([]byte{1, 2})}, {Name: ":absent", Value: sqlval.Null()}, {Value: sqlval.Integer(1)},
		{Value: sqlval.Real(1.5)}, {Value: sqlval.Text("2026-12-07 12:00:00.000000005+00:00")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("bindParams =\n%+v\nwant\n%+v", got, want)
	}
	blob[0] = 9 // kept until Commit inside a transaction: it was copied
	if got[3].Value.Blob[0] != 1 {
		t.Fatal("a []byte argument was not copied")
	}
	for query, n := range map[string]int{"SELECT ?, ?": 1, "SELECT ?2": 1, "SELECT ?": 2, "SELECT 1": 1} {
		args := make([]driver.NamedValue, n)
		for i := range args {
			args[i] = driver.NamedValue{Ordinal: i + 1, Value: int64(i)}
		}
		if _, err := bindParams(query, args); err == nil {
			t.Errorf("%s with %d arguments was accepted", query, n)
		}
	}
	if _, err := bindParams("SELECT ?", []driver.NamedValue{{Ordinal: 1, Value: struct{}{}}}); err == nil {
		t.Fatal("an unsupported argument type was accepted")
	}
}
