package statemachine

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"modernc.org/sqlite"

	"github.com/resqlite/resqlite/raft"
)

// t0 is the leader time of the tests' first session entry (Unix ms).
const t0 = int64(1_800_000_000_000)

func registerEntry(index uint64, time int64) raft.Entry {
	return raft.Entry{Index: index, Term: 1, Type: raft.EntryNormal, Data: EncodeCommand(Command{Register: true, Time: time})}
}

// sessionEntry is a session write of session client, seq and acked
// watermark, at leader time, holding the statements sqls.
func sessionEntry(index, client, seq, acked uint64, time int64, sqls ...string) raft.Entry {
	c := Command{Session: &SessionTag{ClientID: client, Seq: seq, Acked: acked}, Time: time}
	for _, s := range sqls {
		c.Statements = append(c.Statements, Statement{SQL: s})
	}
	return raft.Entry{Index: index, Term: 1, Type: raft.EntryNormal, Data: EncodeCommand(c)}
}

// applyNext applies e (its index is overwritten with the next one) and
// returns its result.
func applyNext(t testing.TB, sm *StateMachine, e raft.Entry) *Result {
	t.Helper()
	e.Index = sm.AppliedIndex() + 1
	res, err := sm.Apply([]raft.Entry{e})
	if err != nil {
		t.Fatalf("Apply entry %d: %v", e.Index, err)
	}
	return res[0].(*Result)
}

// registerNext registers a session at leader time and returns its id.
func registerNext(t testing.TB, sm *StateMachine, time int64) uint64 {
	t.Helper()
	r := applyNext(t, sm, registerEntry(0, time))
	if r.Err != nil || r.SessionErr != nil || r.SessionID != r.Index || r.SessionID == 0 {
		t.Fatalf("registration: %+v", r)
	}
	return r.SessionID
}

// write applies a session write and returns its result.
func write(t testing.TB, sm *StateMachine, client, seq, acked uint64, time int64, sqls ...string) *Result {
	t.Helper()
	return applyNext(t, sm, sessionEntry(0, client, seq, acked, time, sqls...))
}

func count(t testing.TB, sm *StateMachine, sql string) int64 {
	t.Helper()
	rows := query(t, sm, sql)
	if len(rows) != 1 || len(rows[0]) != 1 || rows[0][0].Type != TypeInteger {
		t.Fatalf("%s: %v", sql, rows)
	}
	return rows[0][0].Int
}

func wantSessionErr(t testing.TB, r *Result, kind SessionErrorKind, resend uint64) {
	t.Helper()
	if r.SessionErr == nil || r.SessionErr.Kind != kind || r.SessionErr.ResendFrom != resend || r.Err != nil || r.Statements != nil || r.Repeat {
		t.Fatalf("result %+v (session error %+v), want session error kind %d, resend from %d", r, r.SessionErr, kind, resend)
	}
}

// A repeated seq returns the recorded result (RETURNING rows included),
// and the row exists once.
func TestSessionRepeatReturnsRecordedResult(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x INTEGER PRIMARY KEY, v)")
	id := registerNext(t, sm, t0)
	first := write(t, sm, id, 1, 0, t0+1, "INSERT INTO t(v) VALUES ('a') RETURNING x, v")
	if first.Err != nil || first.Repeat || len(first.Statements) != 1 || len(first.Statements[0].Rows) != 1 {
		t.Fatalf("first write: %+v", first)
	}
	again := write(t, sm, id, 1, 0, t0+2, "INSERT INTO t(v) VALUES ('a') RETURNING x, v")
	if !again.Repeat || again.NotRetained || again.Index != first.Index || !reflect.DeepEqual(again.Statements, first.Statements) || again.Err != nil {
		t.Fatalf("repeat: %+v, want the recorded %+v", again, first)
	}
	if n := count(t, sm, "SELECT count(*) FROM t"); n != 1 {
		t.Fatalf("%d rows after a repeat, want 1", n)
	}
	if r := write(t, sm, id, 2, 1, t0+3, "INSERT INTO t(v) VALUES ('b')"); r.Err != nil || r.Repeat || r.SessionErr != nil {
		t.Fatalf("next write: %+v", r)
	}
}

// An error is a result too: a failing block repeated gives the same error
// and no effect, even once it would succeed if it ran again.
func TestSessionErrorResultRepeated(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x UNIQUE); INSERT INTO t VALUES (1)")
	id := registerNext(t, sm, t0)
	block := []string{"INSERT INTO t VALUES (5)", "INSERT INTO t VALUES (1)"}
	first := write(t, sm, id, 1, 0, t0, block...)
	if first.Err == nil || first.Err.Statement != 1 {
		t.Fatalf("first write: %+v, want a constraint error in statement 2", first)
	}
	mustExec(t, sm, "DELETE FROM t WHERE x = 1")
	again := write(t, sm, id, 1, 0, t0, block...)
	if !again.Repeat || again.Index != first.Index || !reflect.DeepEqual(again.Err, first.Err) || !reflect.DeepEqual(again.Statements, first.Statements) {
		t.Fatalf("repeat: %+v (err %v), want the recorded error %v", again, again.Err, first.Err)
	}
	if n := count(t, sm, "SELECT count(*) FROM t"); n != 0 {
		t.Fatalf("%d rows, want 0: the repeat ran again", n)
	}
}

// A gap is refused with the seq to resend from, and applies nothing.
func TestSessionGapRefused(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	id := registerNext(t, sm, t0)
	write(t, sm, id, 1, 0, t0, "INSERT INTO t VALUES (1)")
	wantSessionErr(t, write(t, sm, id, 3, 0, t0, "INSERT INTO t VALUES (3)"), SessionOutOfOrder, 2)
	if n := count(t, sm, "SELECT count(*) FROM t"); n != 1 {
		t.Fatalf("%d rows, want 1: the out-of-order write applied", n)
	}
	if r := write(t, sm, id, 2, 0, t0, "INSERT INTO t VALUES (2)"); r.Err != nil || r.SessionErr != nil || r.Repeat {
		t.Fatalf("seq 2: %+v", r)
	}
	wantSessionErr(t, write(t, sm, id+1000, 1, 0, t0, "INSERT INTO t VALUES (9)"), SessionUnknown, 0)
}

// The results at or below the acknowledged watermark are discarded: their
// seq is then refused as acknowledged; those above stay.
func TestSessionAckedResultsDiscarded(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	id := registerNext(t, sm, t0)
	for seq := uint64(1); seq <= 3; seq++ {
		write(t, sm, id, seq, 0, t0, "INSERT INTO t VALUES (1)")
	}
	if n := count(t, sm, "SELECT count(*) FROM "+SessionResultsTable); n != 3 {
		t.Fatalf("%d results recorded, want 3", n)
	}
	write(t, sm, id, 4, 2, t0, "INSERT INTO t VALUES (1)")
	if n := count(t, sm, "SELECT count(*) FROM "+SessionResultsTable); n != 2 {
		t.Fatalf("%d results recorded after acknowledging 2, want 2 (seqs 3 and 4)", n)
	}
	wantSessionErr(t, write(t, sm, id, 2, 2, t0, "INSERT INTO t VALUES (1)"), SessionAcked, 0)
	if r := write(t, sm, id, 3, 2, t0, "INSERT INTO t VALUES (1)"); !r.Repeat {
		t.Fatalf("seq 3 after acknowledging 2: %+v, want a repeat", r)
	}
	// A watermark at or above the write's own seq keeps its result.
	write(t, sm, id, 5, 9, t0, "INSERT INTO t VALUES (1)")
	if r := write(t, sm, id, 5, 4, t0, "INSERT INTO t VALUES (1)"); !r.Repeat {
		t.Fatalf("seq 5 repeated: %+v, want a repeat", r)
	}
	if n := count(t, sm, "SELECT count(*) FROM t"); n != 5 {
		t.Fatalf("%d rows, want 5", n)
	}
}

// Sessions expire by leader time carried in the log: an idle session's
// write is refused once a later entry's time is more than SessionTTL past
// its last activity, and a registration deletes expired sessions.
func TestSessionExpiresByLeaderTime(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	ttl := sessionTTLMillis
	a := registerNext(t, sm, t0)
	write(t, sm, a, 1, 0, t0+ttl/2, "INSERT INTO t VALUES (1)")
	// Active at t0+ttl/2: still alive at t0+ttl.
	if r := write(t, sm, a, 2, 1, t0+ttl, "INSERT INTO t VALUES (2)"); r.SessionErr != nil {
		t.Fatalf("write within the TTL: %+v", r.SessionErr)
	}
	b := registerNext(t, sm, t0+ttl)
	// A leader with a slow clock stamps an older time: "now" stays put.
	write(t, sm, b, 1, 0, t0, "INSERT INTO t VALUES (3)")
	c := registerNext(t, sm, t0+2*ttl+1)
	if n := count(t, sm, "SELECT count(*) FROM "+SessionsTable); n != 1 {
		t.Fatalf("%d sessions after the late registration, want 1 (the others expired)", n)
	}
	if n := count(t, sm, "SELECT count(*) FROM "+SessionResultsTable); n != 0 {
		t.Fatalf("%d results of expired sessions kept", n)
	}
	wantSessionErr(t, write(t, sm, a, 2, 1, t0+2*ttl+1, "INSERT INTO t VALUES (2)"), SessionUnknown, 0)
	wantSessionErr(t, write(t, sm, b, 2, 1, t0+2*ttl+1, "INSERT INTO t VALUES (4)"), SessionUnknown, 0)
	if r := write(t, sm, c, 1, 0, t0+2*ttl+2, "INSERT INTO t VALUES (5)"); r.SessionErr != nil {
		t.Fatalf("new session: %+v", r.SessionErr)
	}
	// Expired without a registration since: refused by the write's own time.
	wantSessionErr(t, write(t, sm, c, 2, 1, t0+3*ttl+3, "INSERT INTO t VALUES (6)"), SessionUnknown, 0)
	if n := count(t, sm, "SELECT count(*) FROM t"); n != 4 {
		t.Fatalf("%d rows, want 4", n)
	}
}

// Under RulesV2 a session entry is refused, the same way on every node,
// and applies nothing; the switch to RulesV3 enables sessions.
func TestSessionEntriesNeedRulesV3(t *testing.T) {
	sm, err := Open(t.TempDir(), Options{ReadConns: 2, NewDatabaseRules: RulesV2})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	mustExec(t, sm, "CREATE TABLE t(x)")
	for _, e := range []raft.Entry{registerEntry(0, t0), sessionEntry(0, 2, 1, 0, t0, "INSERT INTO t VALUES (1)")} {
		r := applyNext(t, sm, e)
		if r.Err == nil || r.Err.Kind != ErrorRejected || r.SessionID != 0 ||
			r.Err.Message != "client sessions need rules version 3; this cluster is at version 2" {
			t.Fatalf("session entry under V2: %+v (err %v)", r, r.Err)
		}
	}
	if n := count(t, sm, "SELECT count(*) FROM t"); n != 0 {
		t.Fatalf("session entries under V2 applied something (%d rows)", n)
	}
	wantSessionTables(t, sm, false, "under V2")
	// The switch takes effect at its log position, also inside one batch.
	base := sm.AppliedIndex()
	res, err := sm.Apply([]raft.Entry{registerEntry(base+1, t0), rulesEntry(base+2, RulesV3), registerEntry(base+3, t0)})
	if err != nil {
		t.Fatal(err)
	}
	if before, after := res[0].(*Result), res[2].(*Result); before.Err == nil || after.Err != nil || after.SessionID != base+3 {
		t.Fatalf("registrations around the switch: %+v, %+v", before, after)
	}
	id := registerNext(t, sm, t0)
	if r := write(t, sm, id, 1, 0, t0, "INSERT INTO t VALUES (1)"); r.Err != nil || r.SessionErr != nil {
		t.Fatalf("write under V3: %+v", r)
	}
}

// A result whose encoding is over MaxRetainedResultBytes is not kept: the
// repeat says so, with the original index, and does not run again.
func TestSessionLargeResultNotRetained(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	id := registerNext(t, sm, t0)
	sqls := []string{"INSERT INTO t VALUES (1)", "SELECT zeroblob(70000)"}
	first := write(t, sm, id, 1, 0, t0, sqls...)
	if first.Err != nil || len(first.Statements) != 2 {
		t.Fatalf("first write: %+v", first)
	}
	again := write(t, sm, id, 1, 0, t0, sqls...)
	if !again.Repeat || !again.NotRetained || again.Index != first.Index || again.Statements != nil || again.Err != nil {
		t.Fatalf("repeat: %+v, want not retained at index %d", again, first.Index)
	}
	small := write(t, sm, id, 2, 1, t0, "SELECT zeroblob(1000)")
	if r := write(t, sm, id, 2, 1, t0, "SELECT zeroblob(1000)"); r.NotRetained || !reflect.DeepEqual(r.Statements, small.Statements) {
		t.Fatalf("small result repeated: %+v", r)
	}
	if n := count(t, sm, "SELECT count(*) FROM t"); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
}

// A session write that ends the transaction itself (INSERT OR ROLLBACK)
// in a batch: its error is recorded for its seq, so the next seq follows
// and a repeat returns the error; the other entries apply once.
func TestSessionWriteEndingTransaction(t *testing.T) {
	for _, oneCall := range []bool{false, true} {
		sm := openTest(t)
		mustExec(t, sm, "CREATE TABLE t(x UNIQUE); INSERT INTO t VALUES (1)")
		base := sm.AppliedIndex()
		id := base + 1
		entries := []raft.Entry{
			registerEntry(base+1, t0),
			sessionEntry(base+2, id, 1, 0, t0, "INSERT INTO t VALUES (2)"),
			sessionEntry(base+3, id, 2, 1, t0, "INSERT INTO t VALUES (3)", "INSERT OR ROLLBACK INTO t VALUES (1)"),
			sessionEntry(base+4, id, 3, 1, t0, "INSERT INTO t VALUES (4)"),
			sessionEntry(base+5, id, 2, 1, t0, "INSERT INTO t VALUES (5)"),
		}
		results := applyAll(t, sm, entries, oneCall)
		ended := results[2]
		if ended.Err == nil || ended.Err.Statement != 1 {
			t.Fatalf("one call %v: ending write: %+v", oneCall, ended)
		}
		if r := results[3]; r.Err != nil || r.SessionErr != nil || r.Repeat {
			t.Fatalf("one call %v: seq 3 after the ended seq 2: %+v (session error %v)", oneCall, r, r.SessionErr)
		}
		if r := results[4]; !r.Repeat || r.Index != ended.Index || !reflect.DeepEqual(r.Err, ended.Err) {
			t.Fatalf("one call %v: repeat of the ended seq 2: %+v, want %+v", oneCall, r, ended)
		}
		if got := query(t, sm, "SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY x)"); got[0][0].Text != "1,2,4" {
			t.Fatalf("one call %v: rows %v, want 1,2,4", oneCall, got[0][0])
		}
	}
}

// applyAll applies entries one per Apply call, or all in one call.
func applyAll(t testing.TB, sm *StateMachine, entries []raft.Entry, oneCall bool) []*Result {
	t.Helper()
	var out []any
	if oneCall {
		res, err := sm.Apply(entries)
		if err != nil {
			t.Fatal(err)
		}
		out = res
	} else {
		for _, e := range entries {
			res, err := sm.Apply([]raft.Entry{e})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, res...)
		}
	}
	results := make([]*Result, len(out))
	for i, r := range out {
		results[i], _ = r.(*Result)
	}
	return results
}

// Session results do not depend on how entries are batched into Apply
// calls: one per call and all in one call give the same results and the
// same digest (which covers the session tables).
func TestSessionBatchingIndependence(t *testing.T) {
	ttl := sessionTTLMillis
	var entries []raft.Entry
	add := func(e raft.Entry) { e.Index = uint64(len(entries) + 1); entries = append(entries, e) }
	add(sqlEntry(0, "CREATE TABLE t(x UNIQUE)"))
	add(registerEntry(0, t0))                                                                                // session 2
	add(sessionEntry(0, 2, 1, 0, t0, "INSERT INTO t VALUES (1) RETURNING x"))                                //
	add(registerEntry(0, t0+10))                                                                             // session 4
	add(sessionEntry(0, 4, 1, 0, t0+11, "INSERT INTO t VALUES (1)"))                                         // error
	add(sessionEntry(0, 2, 2, 0, t0+12, "INSERT INTO t VALUES (2)", "INSERT OR ROLLBACK INTO t VALUES (1)")) // ends
	add(sessionEntry(0, 2, 1, 0, t0+13, "INSERT INTO t VALUES (1) RETURNING x"))                             // repeat
	add(sessionEntry(0, 4, 3, 0, t0+14, "INSERT INTO t VALUES (7)"))                                         // gap
	add(sessionEntry(0, 4, 2, 1, t0+15, "INSERT INTO t VALUES (8)"))                                         //
	add(sessionEntry(0, 2, 3, 2, t0+ttl/2, "INSERT INTO t VALUES (9)"))                                      //
	add(sessionEntry(0, 2, 1, 2, t0+ttl/2, "INSERT INTO t VALUES (1)"))                                      // acked
	add(registerEntry(0, t0+ttl+20))                                                                         // expires 4
	add(sessionEntry(0, 4, 3, 2, t0+ttl+21, "INSERT INTO t VALUES (10)"))                                    // unknown
	add(sessionEntry(0, 2, 4, 3, t0+ttl+22, "INSERT INTO t VALUES (11)"))                                    //
	add(sessionEntry(0, 12, 1, 0, t0+ttl+23, "SELECT zeroblob(70000)"))                                      //
	add(sessionEntry(0, 12, 1, 0, t0+ttl+24, "SELECT zeroblob(70000)"))                                      // not retained
	add(sessionEntry(0, 2, 5, 4, t0+5, "INSERT INTO t VALUES (12)"))                                         // slow clock
	add(sessionEntry(0, 12, 2, 1, t0+2*ttl+30, "INSERT INTO t VALUES (13)"))                                 //
	add(sessionEntry(0, 2, 6, 5, t0+2*ttl+31, "INSERT INTO t VALUES (14)"))                                  // expired
	add(sessionEntry(0, 12, 3, 2, t0+2*ttl+20, "INSERT INTO t VALUES (15)"))                                 // slow clock

	one, all := openTest(t), openTest(t)
	a, b := applyAll(t, one, entries, false), applyAll(t, all, entries, true)
	if !reflect.DeepEqual(a, b) {
		for i := range a {
			if !reflect.DeepEqual(a[i], b[i]) {
				t.Errorf("entry %d differs between one per call and all in one call", i+1)
			}
		}
	}
	if da, db := digest(t, one), digest(t, all); da != db {
		t.Fatalf("digests differ: %v, %v", da, db)
	}
	// The stored leader time is the highest any entry carried.
	for _, sm := range []*StateMachine{one, all} {
		if got := count(t, sm, "SELECT "+leaderTimeColumn+" FROM "+MetaTable); got != t0+2*ttl+31 {
			t.Errorf("leader time %d, want %d", got, t0+2*ttl+31)
		}
	}
	kinds := []SessionErrorKind{SessionOutOfOrder, SessionAcked, SessionUnknown, SessionUnknown}
	for i, pos := range []int{7, 10, 12, 18} {
		if a[pos].SessionErr == nil || a[pos].SessionErr.Kind != kinds[i] {
			t.Errorf("entry %d: session error %v, want kind %d", pos+1, a[pos].SessionErr, kinds[i])
		}
	}
	if !a[6].Repeat || !a[15].Repeat || !a[15].NotRetained || a[4].Err == nil || a[5].Err == nil {
		for i, r := range a {
			t.Logf("entry %d: index %d repeat %v not retained %v err %v session err %v", i+1, r.Index, r.Repeat, r.NotRetained, r.Err, r.SessionErr)
		}
		t.Errorf("unexpected results")
	}
}

// The session tables live in the database, so a node restored from a
// snapshot answers a repeat with the recorded result.
func TestSnapshotCarriesSessions(t *testing.T) {
	src := openTest(t)
	mustExec(t, src, "CREATE TABLE t(x INTEGER PRIMARY KEY)")
	id := registerNext(t, src, t0)
	first := write(t, src, id, 1, 0, t0, "INSERT INTO t VALUES (7) RETURNING x")
	dst := restoreCopy(t, src)
	again := write(t, dst, id, 1, 0, t0, "INSERT INTO t VALUES (7) RETURNING x")
	if !again.Repeat || again.Index != first.Index || !reflect.DeepEqual(again.Statements, first.Statements) || again.Err != nil {
		t.Fatalf("repeat on the restored node: %+v, want %+v", again, first)
	}
	if r := write(t, dst, id, 2, 1, t0, "INSERT INTO t VALUES (8)"); r.Err != nil || r.SessionErr != nil || r.Repeat {
		t.Fatalf("next seq on the restored node: %+v", r)
	}
	// And so does a restart.
	dst = restart(t, dst)
	if r := write(t, dst, id, 2, 1, t0, "INSERT INTO t VALUES (8)"); !r.Repeat {
		t.Fatalf("repeat after a restart: %+v", r)
	}
}

// The internal tables are hidden from the dump and protected from writes
// (reads by a query stay allowed); new objects named _resqlite_* are
// refused under RulesV3.
func TestInternalTablesProtected(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	id := registerNext(t, sm, t0)
	write(t, sm, id, 1, 0, t0, "INSERT INTO t VALUES (1)")
	if text, _ := dumpText(t, sm); strings.Contains(strings.ToLower(text), ReservedPrefix) {
		t.Fatalf("dump shows internal objects:\n%s", text)
	}
	if n := count(t, sm, "SELECT count(*) FROM "+SessionsTable); n != 1 {
		t.Fatalf("query of %s: %d rows, want 1", SessionsTable, n)
	}
	for _, sql := range []string{
		"INSERT INTO " + SessionsTable + " VALUES (99, 0, 0, 0)",
		"UPDATE _RESQLITE_SESSIONS SET last_seq = 5",
		"DELETE FROM " + SessionResultsTable,
		"DROP TABLE " + SessionResultsTable,
		"ALTER TABLE " + SessionsTable + " ADD COLUMN y",
		"CREATE INDEX i ON " + SessionsTable + "(last_seq)",
		"CREATE TRIGGER tr AFTER INSERT ON " + SessionResultsTable + " BEGIN SELECT 1; END",
		"INSERT INTO t SELECT count(*) FROM " + SessionsTable,
		"INSERT INTO t SELECT applied_index FROM " + MetaTable,
		"CREATE TABLE _resqlite_x(a)",
		"CREATE TABLE _ReSqlite_y AS SELECT 1",
		"CREATE INDEX _resqlite_i ON t(x)",
		"CREATE VIEW _resqlite_v AS SELECT 1",
		"CREATE TRIGGER _resqlite_tr AFTER INSERT ON t BEGIN SELECT 1; END",
		"CREATE VIRTUAL TABLE _resqlite_fts USING fts5(a)",
		"ALTER TABLE t RENAME TO _resqlite_t",
	} {
		r := exec(t, sm, sql)
		if r.Err == nil || r.Err.Kind != ErrorRejected {
			t.Errorf("%s: %+v (err %v), want rejected", sql, r, r.Err)
		}
	}
	if r := write(t, sm, id, 2, 1, t0, "INSERT INTO t VALUES (2)"); r.Err != nil || r.SessionErr != nil {
		t.Fatalf("session after the refused writes: %+v", r)
	}
	if n := count(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '\\_resqlite\\_%' ESCAPE '\\' AND "+HideInternalObjects); n != 0 {
		t.Fatalf("%d user objects with reserved names", n)
	}
}

// Open fails, with a clear error, when a user object has an internal
// table's name (here one made by an older binary, which allowed it).
func TestOpenFailsOnSquattedName(t *testing.T) {
	for name, sql := range map[string]string{
		"table":  "CREATE TABLE " + SessionsTable + "(x)",
		"index":  "CREATE TABLE u(x); CREATE INDEX " + SessionResultsTable + " ON u(x)",
		"upcase": "CREATE TABLE _RESQLITE_SESSIONS (id INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, acked INTEGER NOT NULL, last_active INTEGER NOT NULL)",
	} {
		dir := t.TempDir()
		c, err := openConn(&sqlite.Driver{}, filepath.Join(dir, DatabaseFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := errors.Join(c.exec(oldMetaSchema+sql), c.close()); err != nil {
			t.Fatal(err)
		}
		sm, err := Open(dir, Options{ReadConns: 1})
		if err == nil {
			sm.Close()
			t.Fatalf("%s: Open succeeded on a squatted name", name)
		}
		if !errors.Is(err, ErrReservedName) || !strings.Contains(strings.ToLower(err.Error()), "_resqlite_session") {
			t.Fatalf("%s: Open: %v", name, err)
		}
	}
	// Our own tables open again.
	dir := t.TempDir()
	restart(t, openAt(t, dir))
}

// A snapshot whose database has a user object under an internal table's
// name (from an older binary) is refused before anything changes.
func TestRestoreRefusesSquattedName(t *testing.T) {
	src := openTest(t)
	mustExec(t, src, "CREATE TABLE t(x)")
	if err := src.w.c.exec("DROP TABLE " + SessionsTable + "; CREATE TABLE " + SessionsTable + "(x)"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := src.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	dst := openTest(t)
	mustExec(t, dst, "CREATE TABLE mine(x)")
	err := dst.Restore(&buf)
	if !errors.Is(err, ErrReservedName) || !errors.Is(err, ErrBadSnapshot) {
		t.Fatalf("Restore: %v, want a bad snapshot with a reserved name", err)
	}
	if n := count(t, dst, "SELECT count(*) FROM mine"); n != 0 {
		t.Fatalf("mine: %d rows", n)
	}
	if r := write(t, dst, registerNext(t, dst, t0), 1, 0, t0, "INSERT INTO mine VALUES (1)"); r.Err != nil || r.SessionErr != nil {
		t.Fatalf("the node after the refused restore: %+v", r)
	}
}
