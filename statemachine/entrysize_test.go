package statemachine

import (
	"strings"
	"testing"

	sqlite3 "modernc.org/sqlite/lib"
)

// hugeEntries each try to make a value far larger than MaxValueBytes.
var hugeEntries = []string{
	"INSERT INTO t VALUES (zeroblob(2e9))",
	"INSERT INTO t VALUES (zeroblob(9e8))",
	"INSERT INTO t VALUES (printf('%.*c', 2000000000, 'x'))",
	"INSERT INTO t VALUES (length(printf('%.*c', 900000000, 'x')))",
	"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000) " +
		"INSERT INTO t SELECT length(group_concat(printf('%.1000000c', 'x'))) FROM c",
	"INSERT INTO t VALUES (length(replace(printf('%.*c', 30000000, 'x'), 'x', 'xx')))",
}

// TestHugeValuesFailAsResults: under RulesV2 an entry that makes a string
// or blob over MaxValueBytes fails with SQLITE_TOOBIG as its result, on
// every node alike, and the next entry applies.
func TestHugeValuesFailAsResults(t *testing.T) {
	a, b := openTest(t), openTest(t)
	for _, sm := range []*StateMachine{a, b} {
		mustExec(t, sm, "CREATE TABLE t(x)")
	}
	for _, sql := range hugeEntries {
		for _, sm := range []*StateMachine{a, b} {
			r := exec(t, sm, sql)
			if r.Err == nil || r.Err.Code&0xff != sqlite3.SQLITE_TOOBIG {
				t.Fatalf("%.60q: got %+v, want SQLITE_TOOBIG", sql, r.Err)
			}
			mustExec(t, sm, "INSERT INTO t VALUES ('next')")
		}
	}
	if da, db := digest(t, a), digest(t, b); da != db {
		t.Fatalf("digests differ: %v vs %v", da, db)
	}
	if rows := query(t, a, "SELECT count(*) FROM t"); !rows[0][0].Equal(Integer(int64(len(hugeEntries)))) {
		t.Fatalf("rows %v", rows)
	}
	// Just under the limit is fine.
	mustExec(t, a, "INSERT INTO t VALUES (length(zeroblob(?)))", Integer(MaxValueBytes-1000))
}

// TestHugeResultsFailAsResults: rows a write returns are counted against
// MaxResultBytes.
func TestHugeResultsFailAsResults(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	r := exec(t, sm, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100) "+
		"INSERT INTO t SELECT zeroblob(1000000) FROM c RETURNING x")
	if r.Err == nil || r.Err.Code != sqlite3.SQLITE_TOOBIG || !strings.Contains(r.Err.Message, "bytes of rows") {
		t.Fatalf("got %+v, want SQLITE_TOOBIG for the returned rows", r.Err)
	}
	if rows := query(t, sm, "SELECT count(*) FROM t"); !rows[0][0].Equal(Integer(0)) {
		t.Fatalf("the failed entry left rows: %v", rows)
	}
}

// TestLengthLimitFollowsRules: an old database keeps SQLite's own limit
// until the switch to RulesV2.
func TestLengthLimitFollowsRules(t *testing.T) {
	sm := openOld(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	mustExec(t, sm, "INSERT INTO t VALUES (length(zeroblob(?)))", Integer(MaxValueBytes+1))
	switchTo(t, sm, RulesV2)
	if r := exec(t, sm, "INSERT INTO t VALUES (length(zeroblob(?)))", Integer(MaxValueBytes+1)); r.Err == nil || r.Err.Code&0xff != sqlite3.SQLITE_TOOBIG {
		t.Fatalf("after the switch: %+v, want SQLITE_TOOBIG", r.Err)
	}
	sm = restart(t, sm)
	if r := exec(t, sm, "INSERT INTO t VALUES (length(zeroblob(?)))", Integer(MaxValueBytes+1)); r.Err == nil {
		t.Fatalf("after restart the limit is gone")
	}
}
