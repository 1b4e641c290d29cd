package statemachine

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"

	"github.com/resqlite/resqlite/raft"
)

// oldMetaSchema is MetaTable as binaries before rules versions created it.
const oldMetaSchema = `
CREATE TABLE ` + MetaTable + ` (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	applied_index INTEGER NOT NULL,
	config_index INTEGER NOT NULL,
	config BLOB
);
INSERT INTO ` + MetaTable + ` VALUES (1, 0, 0, NULL);
`

// openOld opens a state machine on a database made by a binary that knew no
// rules version (so it is at RulesV1).
func openOld(t testing.TB) *StateMachine {
	t.Helper()
	dir := t.TempDir()
	c, err := openConn(&sqlite.Driver{}, filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.exec(oldMetaSchema); err != nil {
		t.Fatal(err)
	}
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	sm := openAt(t, dir)
	if v := sm.RulesVersion(); v != RulesV1 {
		t.Fatalf("old database at rules version %d, want 1", v)
	}
	return sm
}

// rulesEntry is a rules entry at index switching to v.
func rulesEntry(index uint64, v RulesVersion) raft.Entry {
	return raft.Entry{Index: index, Term: 1, Type: raft.EntryNormal, Data: EncodeCommand(Command{Rules: v})}
}

// switchTo applies a rules entry switching sm to v.
func switchTo(t testing.TB, sm *StateMachine, v RulesVersion) {
	t.Helper()
	res, err := sm.Apply([]raft.Entry{rulesEntry(sm.AppliedIndex()+1, v)})
	if err != nil {
		t.Fatalf("apply rules entry: %v", err)
	}
	if r := res[0].(*Result); r.Err != nil {
		t.Fatalf("rules entry: %v", r.Err)
	}
	if got := sm.RulesVersion(); got != v {
		t.Fatalf("rules version %d after the switch, want %d", got, v)
	}
}

// restart closes sm and opens its directory again.
func restart(t testing.TB, sm *StateMachine) *StateMachine {
	t.Helper()
	dir := sm.dir
	if err := sm.Close(); err != nil {
		t.Fatal(err)
	}
	return openAt(t, dir)
}

// restoreCopy returns a new state machine restored from a snapshot of sm.
func restoreCopy(t testing.TB, sm *StateMachine) *StateMachine {
	t.Helper()
	var buf bytes.Buffer
	if _, err := sm.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	dst := openTest(t)
	if err := dst.Restore(&buf); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestNewDatabaseStartsAtNewestRules(t *testing.T) {
	sm := openTest(t)
	if v := sm.RulesVersion(); v != MaxRulesVersion {
		t.Fatalf("new database at rules version %d, want %d", v, MaxRulesVersion)
	}
	sm = restart(t, sm)
	if v := sm.RulesVersion(); v != MaxRulesVersion {
		t.Fatalf("after restart at rules version %d, want %d", v, MaxRulesVersion)
	}
}

// schemaVersionSetup makes several schema changes, so the schema version
// (11 here) is far from what a backup writes (the restored node's own
// schema version plus one: a new database's is 7 since RulesV4 added
// RestoreTable, which made the two meet at 7 with fewer changes here).
var schemaVersionSetup = []string{
	"CREATE TABLE t(x)", "CREATE TABLE a(x)", "CREATE TABLE b(x)", "DROP TABLE a", "DROP TABLE b",
	"CREATE TABLE c(x)", "CREATE TABLE d(x)", "DROP TABLE c", "DROP TABLE d",
}

const readSchemaVersion = "INSERT INTO t SELECT * FROM pragma_schema_version"

// TestSchemaVersionDivergesUnderV1 shows bug 5 as it is under the old rules
// (kept for old log entries): a node restored from a snapshot reads another
// schema_version than the node it came from, and stores it.
func TestSchemaVersionDivergesUnderV1(t *testing.T) {
	a := openOld(t)
	for _, s := range schemaVersionSetup {
		mustExec(t, a, s)
	}
	b := restoreCopy(t, a)
	if v := b.RulesVersion(); v != RulesV1 {
		t.Fatalf("restored at rules version %d, want 1", v)
	}
	mustExec(t, a, readSchemaVersion)
	mustExec(t, b, readSchemaVersion)
	if digest(t, a) == digest(t, b) {
		t.Fatalf("same digest: the backup API no longer rewrites schema_version; bug 5 is gone under v1 too")
	}
}

// TestSchemaVersionRefusedInWrites is bug 5 under RulesV2: the same setup,
// the same entry, the same refusal on both nodes.
func TestSchemaVersionRefusedInWrites(t *testing.T) {
	a := openOld(t)
	for _, s := range schemaVersionSetup {
		mustExec(t, a, s)
	}
	b := restoreCopy(t, a)
	switchTo(t, a, RulesV2)
	switchTo(t, b, RulesV2)
	for _, sql := range []string{
		readSchemaVersion,
		"PRAGMA schema_version",
		"INSERT INTO t VALUES ((SELECT schema_version FROM pragma_schema_version()))",
		"PRAGMA main.schema_version",
		"PRAGMA schema_version = 99",
	} {
		for _, sm := range []*StateMachine{a, b} {
			r := exec(t, sm, sql)
			if r.Err == nil || r.Err.Kind != ErrorRejected || !strings.Contains(r.Err.Message, "schema_version") {
				t.Fatalf("%q: got %+v, want a rejection naming schema_version", sql, r.Err)
			}
		}
	}
	if da, db := digest(t, a), digest(t, b); da != db {
		t.Fatalf("digests differ: %v vs %v", da, db)
	}
	if rows := query(t, a, "SELECT count(*) FROM t"); !rows[0][0].Equal(Integer(0)) {
		t.Fatalf("rows were written: %v", rows)
	}
}

// statsSetup writes planner statistics the way RulesV1 allowed: ANALYZE
// (which the connection running it loads), then a change to them (which it
// does not load: SQLite loads statistics only with the schema).
var statsSetup = []string{
	"CREATE TABLE src(a, b); CREATE INDEX ia ON src(a); CREATE INDEX ib ON src(b); CREATE TABLE dst(a)",
	"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20) INSERT INTO src SELECT i, 21 - i FROM c",
	"ANALYZE",
	"DELETE FROM sqlite_stat4",
	"DELETE FROM sqlite_stat1 WHERE idx = 'ia'",
}

// planDependent stores rows in the order the chosen plan yields them.
const planDependent = "INSERT INTO dst SELECT a FROM src WHERE a > 0 AND b > 0"

// TestStatsDivergeUnderV1 shows bug 6 under the old rules: the node that
// restarted loaded the statistics, the other did not; the same entry
// stores rows in different orders.
func TestStatsDivergeUnderV1(t *testing.T) {
	a, b := openOld(t), openOld(t)
	for _, s := range statsSetup {
		mustExec(t, a, s)
		mustExec(t, b, s)
	}
	b = restart(t, b)
	mustExec(t, a, planDependent)
	mustExec(t, b, planDependent)
	if digest(t, a) == digest(t, b) {
		t.Fatalf("same digest: statistics reached both planners; bug 6 no longer shows under v1")
	}
}

// TestRulesSwitchReloadsStats: statistics written under RulesV1 reach every
// planner at the switch to RulesV2, so nodes restarted at different
// positions plan alike from there on.
func TestRulesSwitchReloadsStats(t *testing.T) {
	a, b := openOld(t), openOld(t)
	for _, s := range statsSetup {
		mustExec(t, a, s)
		mustExec(t, b, s)
	}
	b = restart(t, b)
	switchTo(t, a, RulesV2)
	switchTo(t, b, RulesV2)
	mustExec(t, a, planDependent)
	mustExec(t, b, planDependent)
	if da, db := digest(t, a), digest(t, b); da != db {
		t.Fatalf("digests differ after the switch: %v vs %v", da, db)
	}
}

func TestStatsRefusedInWrites(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE src(a, b); CREATE INDEX ia ON src(a); CREATE TABLE dst(a)")
	for _, sql := range []string{
		"ANALYZE",
		"ANALYZE src",
		"ANALYZE sqlite_schema",
	} {
		r := exec(t, sm, sql)
		if r.Err == nil || r.Err.Kind != ErrorRejected || !strings.Contains(r.Err.Message, "ANALYZE") && !strings.Contains(r.Err.Message, "sqlite_stat1") {
			t.Fatalf("%q: got %+v, want a rejection naming ANALYZE or sqlite_stat1", sql, r.Err)
		}
		if _, err := sm.Precheck(t.Context(), sql); err == nil {
			t.Fatalf("Precheck accepted %q", sql)
		}
	}
	// Reads may analyze nothing (query_only) but may look at statistics.
	if rows := query(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sqlite_stat%'"); !rows[0][0].Equal(Integer(0)) {
		t.Fatalf("statistics tables exist after refused ANALYZEs: %v", rows)
	}
	// A database from RulesV1 may hold them: writes may not touch them.
	old := openOld(t)
	for _, s := range statsSetup {
		mustExec(t, old, s)
	}
	switchTo(t, old, RulesV2)
	for _, sql := range []string{
		"INSERT INTO sqlite_stat1 VALUES ('src', 'ia', '1 1')",
		"UPDATE sqlite_stat1 SET stat = '5 5'",
		"DELETE FROM sqlite_stat1",
		"DROP TABLE sqlite_stat1",
		"INSERT INTO dst SELECT stat FROM sqlite_stat1",
		"INSERT INTO dst SELECT sample FROM sqlite_stat4",
		"SELECT * FROM SQLITE_STAT1",
		"ANALYZE",
	} {
		r := exec(t, old, sql)
		if r.Err == nil || r.Err.Kind != ErrorRejected || !strings.Contains(strings.ToLower(r.Err.Message), "stat") && !strings.Contains(r.Err.Message, "ANALYZE") {
			t.Fatalf("%q: got %+v, want a rejection naming the statistics", sql, r.Err)
		}
		if _, err := old.Precheck(t.Context(), sql); err == nil {
			t.Fatalf("Precheck accepted %q", sql)
		}
	}
	if rows := query(t, old, "SELECT count(*) FROM sqlite_stat1"); !rows[0][0].Equal(Integer(2)) { // the table's and ia's
		t.Fatalf("sqlite_stat1 changed: %v", rows)
	}
}

// TestRulesSwitchGatesOldEntries: an old database applies a schema_version
// write under RulesV1, refuses it after the switch entry, and stays
// switched across a restart.
func TestRulesSwitchGatesOldEntries(t *testing.T) {
	sm := openOld(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	mustExec(t, sm, readSchemaVersion)
	switchTo(t, sm, RulesV2)
	if r := exec(t, sm, readSchemaVersion); r.Err == nil || r.Err.Kind != ErrorRejected {
		t.Fatalf("after the switch: got %+v, want a rejection", r.Err)
	}
	if _, err := sm.Precheck(t.Context(), readSchemaVersion); err == nil {
		t.Fatalf("Precheck accepted a schema_version write after the switch")
	}
	sm = restart(t, sm)
	if v := sm.RulesVersion(); v != RulesV2 {
		t.Fatalf("after restart at rules version %d, want 2", v)
	}
	if r := exec(t, sm, readSchemaVersion); r.Err == nil {
		t.Fatalf("after restart the write was applied")
	}
	// Switching back to v1 is a log entry like any other.
	switchTo(t, sm, RulesV1)
	mustExec(t, sm, readSchemaVersion)
}

// TestRulesSwitchInBatchRollback: a rules entry in a batch whose later
// entry ends the transaction is applied once, and the entries after the
// switch run under the new version.
func TestRulesSwitchInBatchRollback(t *testing.T) {
	sm := openOld(t)
	mustExec(t, sm, "CREATE TABLE t(x PRIMARY KEY)")
	i := sm.AppliedIndex()
	res, err := sm.Apply([]raft.Entry{
		sqlEntry(i+1, readSchemaVersion),
		rulesEntry(i+2, RulesV2),
		sqlEntry(i+3, "INSERT INTO t VALUES (1)"),
		sqlEntry(i+4, "INSERT OR ROLLBACK INTO t VALUES (1)"),
		sqlEntry(i+5, readSchemaVersion),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, true, true, false, false}
	for k, ok := range want {
		if r := res[k].(*Result); (r.Err == nil) != ok {
			t.Fatalf("entry %d: err %v, want success %v", k, r.Err, ok)
		}
	}
	if v := sm.RulesVersion(); v != RulesV2 {
		t.Fatalf("rules version %d, want 2", v)
	}
}

func TestUnknownRulesVersionHalts(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	before := sm.AppliedIndex()
	_, err := sm.Apply([]raft.Entry{
		sqlEntry(before+1, "INSERT INTO t VALUES (1)"),
		rulesEntry(before+2, MaxRulesVersion+1),
	})
	var unknown *UnknownRulesError
	if !errors.As(err, &unknown) || unknown.Version != MaxRulesVersion+1 {
		t.Fatalf("Apply: %v, want an UnknownRulesError", err)
	}
	if !strings.Contains(err.Error(), "upgrade it") {
		t.Fatalf("message %q does not tell to upgrade", err)
	}
	if sm.AppliedIndex() != before {
		t.Fatalf("applied %d, want %d (nothing of the batch)", sm.AppliedIndex(), before)
	}
	if _, err := sm.Apply([]raft.Entry{sqlEntry(before+1, "INSERT INTO t VALUES (1)")}); !errors.As(err, &unknown) {
		t.Fatalf("Apply after the halt: %v", err)
	}
	// A restart (of an upgraded binary) replays from before the batch.
	sm = restart(t, sm)
	if sm.AppliedIndex() != before {
		t.Fatalf("applied %d after restart", sm.AppliedIndex())
	}
}

func TestRulesEntryCodec(t *testing.T) {
	for _, v := range []RulesVersion{1, 2, 300, 1<<32 - 1} {
		got, err := DecodeCommand(EncodeCommand(Command{Rules: v}))
		if err != nil || got.Rules != v || got.Statements != nil {
			t.Fatalf("round trip %d: %+v %v", v, got, err)
		}
	}
	// Old entries still decode as statements.
	cmd, err := DecodeCommand(EncodeCommand(Command{Statements: []Statement{{SQL: "SELECT 1"}}}))
	if err != nil || cmd.Rules != 0 || len(cmd.Statements) != 1 {
		t.Fatalf("statements: %+v %v", cmd, err)
	}
	good := EncodeCommand(Command{Rules: 2})
	zero := append([]byte{rulesKind, 0}, good[2:]...)
	trailing := append([]byte{rulesKind, 2, 0}, good[2:]...)
	flipped := append([]byte(nil), good...)
	flipped[1] ^= 1
	for name, data := range map[string][]byte{"zero": zero, "trailing": trailing, "flipped": flipped, "short": good[:5]} {
		if _, err := DecodeCommand(data); !errors.Is(err, ErrBadCommand) {
			t.Errorf("%s: %v, want ErrBadCommand", name, err)
		}
	}
}

// TestRestoreOldSnapshotIsV1: a snapshot taken by a binary that knew no
// rules version restores at RulesV1.
func TestRestoreOldSnapshotIsV1(t *testing.T) {
	old := openOld(t)
	mustExec(t, old, "CREATE TABLE t(x)")
	old.w.pol.reset(modeInternal)
	if err := old.w.c.exec("ALTER TABLE " + MetaTable + " DROP COLUMN " + rulesColumn + "; ALTER TABLE " + MetaTable + " DROP COLUMN " + initialRulesColumn); err != nil {
		t.Fatal(err)
	}
	dst := restoreCopy(t, old)
	if v, i := dst.RulesVersion(), dst.InitialRulesVersion(); v != RulesV1 || i != RulesV1 {
		t.Fatalf("restored at %d (initial %d), want 1", v, i)
	}
	mustExec(t, dst, readSchemaVersion)
}

func TestNewDatabaseRulesOption(t *testing.T) {
	dir := t.TempDir()
	sm, err := Open(dir, Options{ReadConns: 1, NewDatabaseRules: RulesV1})
	if err != nil {
		t.Fatal(err)
	}
	if sm.RulesVersion() != RulesV1 || sm.InitialRulesVersion() != RulesV1 {
		t.Fatalf("new database at %d (initial %d), want 1", sm.RulesVersion(), sm.InitialRulesVersion())
	}
	switchTo(t, sm, RulesV2)
	sm.Close()
	// An existing database keeps its versions whatever the option says.
	sm, err = Open(dir, Options{ReadConns: 1, NewDatabaseRules: RulesV2})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	if sm.RulesVersion() != RulesV2 || sm.InitialRulesVersion() != RulesV1 {
		t.Fatalf("reopened at %d (initial %d), want 2 (initial 1)", sm.RulesVersion(), sm.InitialRulesVersion())
	}
	if _, err := Open(t.TempDir(), Options{NewDatabaseRules: MaxRulesVersion + 1}); err == nil || !strings.Contains(err.Error(), "upgrade it") {
		t.Fatalf("Open with an unknown version: %v", err)
	}
	if v := openTest(t).InitialRulesVersion(); v != MaxRulesVersion {
		t.Fatalf("default initial version %d", v)
	}
	if v := openOld(t).InitialRulesVersion(); v != RulesV1 {
		t.Fatalf("old database's initial version %d", v)
	}
}

// TestJoinerReplaysUnderInitialRules: a node that joins with a new, empty
// database replays the log from its start; it must start at the version
// the cluster's database started at, not at the newest, or the entries
// written under the old rules give other results on it.
func TestJoinerReplaysUnderInitialRules(t *testing.T) {
	member := openOld(t)
	var log []raft.Entry
	add := func(e raft.Entry) {
		t.Helper()
		log = append(log, e)
		if _, err := member.Apply([]raft.Entry{e}); err != nil {
			t.Fatal(err)
		}
	}
	add(sqlEntry(1, "CREATE TABLE t(x)"))
	add(sqlEntry(2, "INSERT INTO t SELECT * FROM pragma_foreign_keys")) // fine under v1
	add(rulesEntry(3, RulesV2))
	add(sqlEntry(4, "INSERT INTO t SELECT * FROM pragma_foreign_keys")) // refused from here on
	replay := func(newRules RulesVersion) Digest {
		sm, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: newRules})
		if err != nil {
			t.Fatal(err)
		}
		defer sm.Close()
		if _, err := sm.Apply(log); err != nil {
			t.Fatal(err)
		}
		return digest(t, sm)
	}
	want := digest(t, member)
	if got := replay(member.InitialRulesVersion()); got != want {
		t.Fatalf("joiner at the member's initial version: digest %v, member %v", got, want)
	}
	if got := replay(MaxRulesVersion); got == want {
		t.Fatalf("a joiner at the newest version replays alike; this test no longer shows why the option exists")
	}
}
