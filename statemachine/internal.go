package statemachine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// The internal tables (sqlval.InternalTables) live in the replicated
// database, so they are part of every snapshot and change in the same
// transactions as the data. MetaTable exists in every database. The
// session tables and MetaTable's leaderTimeColumn belong to RulesV3 and
// are replicated state like the rest: they exist exactly where RulesV3 or
// later is in force, so that a write's view of sqlite_schema (or of
// MetaTable's columns) is the same on every node at the same log position,
// upgraded or not, and on a node that replays the log from its start.
// They are created (createInternal, inside the caller's transaction):
//   - at the initialisation of a new database that starts at RulesV3 or
//     later (Open; a joining node whose cluster started at an older
//     version starts without them);
//   - by the rules entry that switches a database to RulesV3
//     (writer.switchRules), inside the apply transaction, at that entry's
//     log position on every node;
//   - at Open of a database at RulesV3 that lacks them (a crash between
//     creating a new database's meta table and them).
//
// A database under RulesV1 or RulesV2 has none of them (one made by a
// build that created them at every Open may hold them, empty: sessions are
// refused under those versions; they are left alone). Open and Restore of
// such a database only check that no user object squats an internal name
// (checkInternalNames), so that the switch to RulesV3 cannot fail; writes
// cannot create such an object under any version (policy.checkNewName,
// writer.checkRenamed). A snapshot carries what its log position had.

// sessionsSchema and sessionResultsSchema create the session tables. They
// are written as SQLite stores them in sqlite_schema, so that Open can
// tell ours from a user's table of the same name.
const (
	sessionsSchema = "CREATE TABLE " + SessionsTable +
		" (id INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, acked INTEGER NOT NULL, last_active INTEGER NOT NULL)"
	sessionResultsSchema = "CREATE TABLE " + SessionResultsTable +
		" (session INTEGER NOT NULL, seq INTEGER NOT NULL, entry_index INTEGER NOT NULL, result BLOB, PRIMARY KEY (session, seq)) WITHOUT ROWID"
)

// restoreSchema creates RestoreTable: the staged chunks of a restore's
// file, by their offset (restore.go).
const restoreSchema = "CREATE TABLE " + RestoreTable +
	" (chunk_offset INTEGER PRIMARY KEY, restore_id INTEGER NOT NULL, data BLOB NOT NULL)"

// ownTable is an internal table other than MetaTable: its name, how it is
// created, and the rules version it exists from.
type ownTable struct {
	name, sql string
	since     RulesVersion
}

// ownTables lists the internal tables other than MetaTable, in the order
// they are created.
func ownTables() []ownTable {
	return []ownTable{
		{SessionsTable, sessionsSchema, RulesV3},
		{SessionResultsTable, sessionResultsSchema, RulesV3},
		{RestoreTable, restoreSchema, RulesV4},
	}
}

// leaderTimeColumn of MetaTable holds the highest leader time (Unix ms)
// any applied session entry carried: the "now" sessions expire by
// (session.go). It is replicated state, never a node's clock.
const leaderTimeColumn = "leader_time"

// ErrReservedName is wrapped by Open's error when a user object already
// has the name of an internal table (or is an index, trigger or view on
// one): a database made by an older version where a user created, say, a
// table _resqlite_sessions. The object must be renamed or dropped (with
// the sqlite3 CLI, on the stopped node's state.db) before this version can
// use the database.
var ErrReservedName = errors.New("a user object has a name reserved for ReSqlite")

// migrateInternal prepares the internal tables of the database c opened,
// in one transaction, for the rules version in force (prepareInternal).
func migrateInternal(c *conn) error {
	if err := c.exec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := prepareInternal(c); err != nil {
		return errors.Join(err, rollback(c))
	}
	return c.exec("COMMIT")
}

// prepareInternal, inside the caller's transaction, creates the missing
// internal tables of a database at RulesV3 or later (createInternal) and
// only checks the internal names of one at an older version. It fails with
// ErrReservedName if a user object squats an internal name.
func prepareInternal(c *conn) error {
	inForce, _, err := readRulesOn(c)
	if err != nil {
		return err
	}
	if inForce >= RulesV3 {
		return createInternal(c, inForce)
	}
	_, err = checkInternalNames(c)
	return err
}

// createInternal creates the internal tables of rules version v (RulesV3
// or later) that c's database lacks: the session tables and MetaTable's
// leaderTimeColumn, and from RulesV4 on RestoreTable; inside the caller's
// transaction. It fails with ErrReservedName if a user object squats an
// internal name.
func createInternal(c *conn, v RulesVersion) error {
	present, err := checkInternalNames(c)
	if err != nil {
		return err
	}
	for _, t := range ownTables() {
		if present[t.name] || v < t.since {
			continue
		}
		if err := c.exec(t.sql); err != nil {
			return fmt.Errorf("create %s: %w", t.name, err)
		}
	}
	return addMetaColumn(c, leaderTimeColumn, "INTEGER NOT NULL DEFAULT 0")
}

// checkInternalNames returns which internal tables exist (by their exact
// name), and ErrReservedName if sqlite_schema holds an object named like
// an internal table, or on one, that is not ReSqlite's own.
func checkInternalNames(c *conn) (map[string]bool, error) {
	own := map[string]string{}
	for _, t := range ownTables() {
		own[t.name] = t.sql
	}
	var list []string
	for _, t := range sqlval.InternalTables() {
		list = append(list, quoteString(t))
	}
	in := "(" + strings.Join(list, ", ") + ")"
	present := map[string]bool{}
	var squat []string
	err := c.each("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name COLLATE NOCASE IN "+in+" OR tbl_name COLLATE NOCASE IN "+in+" ORDER BY rowid",
		func(row []Value) {
			typ, name, tbl, sql := row[0].Text, row[1].Text, row[2].Text, row[3].Text
			want, isSession := own[name]
			switch {
			case typ == "table" && name == tbl && name == MetaTable,
				typ == "table" && name == tbl && isSession && sql == want:
				present[name] = true
			default:
				squat = append(squat, fmt.Sprintf("%s %s", typ, name))
			}
		})
	if err != nil {
		return nil, fmt.Errorf("look for internal tables: %w", err)
	}
	if len(squat) > 0 {
		return nil, fmt.Errorf("%w: %s (ReSqlite's internal tables are %s); rename or drop it (the same way on every node, with the sqlite3 CLI on the stopped node's %s) before starting this version",
			ErrReservedName, strings.Join(squat, ", "), strings.Join(sqlval.InternalTables(), ", "), DatabaseFile)
	}
	return present, nil
}

// addMetaColumn adds column col (with its declaration) to MetaTable on c
// unless it is there.
func addMetaColumn(c *conn, col, decl string) error {
	has := false
	err := c.each("SELECT 1 FROM pragma_table_info('"+MetaTable+"') WHERE name = "+quoteString(col), func([]Value) { has = true })
	if err != nil {
		return fmt.Errorf("inspect %s: %w", MetaTable, err)
	}
	if has {
		return nil
	}
	if err := c.exec("ALTER TABLE " + MetaTable + " ADD COLUMN " + col + " " + decl); err != nil {
		return fmt.Errorf("add %s.%s: %w", MetaTable, col, err)
	}
	return nil
}
