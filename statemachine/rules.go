package statemachine

import (
	"errors"
	"fmt"
	"math"

	sqlite3 "modernc.org/sqlite/lib"
)

// RulesVersion numbers the determinism rules a write is judged under. The
// same log entry must give the same result on every node, also when it is
// replayed by a newer binary, so a change to what writes may do is a new
// version, and the version in force is replicated state: stored in
// MetaTable in the same transaction as the data, and switched only by a
// rules entry (Command.Rules) at its log position. A node applies every
// entry under the version in force at that position.
type RulesVersion uint32

const (
	// RulesV1 are the rules before versioning: the rules of a database
	// that stores no version.
	RulesV1 RulesVersion = 1
	// RulesV2 adds: schema_version is out of reach of writes; the
	// planner's statistics (sqlite_stat*, ANALYZE) too; PRAGMAs in writes
	// are the allow-list of pragmas.go; a string, blob or row made by a
	// write is at most MaxValueBytes.
	RulesV2 RulesVersion = 2
	// RulesV3 adds client sessions (session.go): registrations and
	// session writes (entry kind 3) are honoured, with SessionTTL and
	// MaxRetainedResultBytes; under RulesV1 and RulesV2 such an entry is
	// refused as its result (nothing applied). The session tables and
	// MetaTable's leader_time exist from the switch to RulesV3 on (created
	// by that rules entry, or with a new database: internal.go). Writes
	// may not create a table, index, view or trigger whose name begins
	// with ReservedPrefix, nor read an internal table (MetaTable's applied
	// index depends on how entries are batched into commits).
	RulesV3 RulesVersion = 3
	// RulesV4 adds restores through the log (restore.go): restore chunks
	// (entry kind 4) are staged in RestoreTable and a restore's finishing
	// entry (kind 5) swaps the staged file in at its log position; under
	// older versions such an entry is refused as its result (nothing
	// applied, nothing staged). RestoreTable exists from the switch to
	// RulesV4 on (created by that rules entry, or with a new database).
	RulesV4 RulesVersion = 4
	// RulesV5 adds generate_series in writes (serieswrite.go): a
	// statement naming it finds SQLite's series table-valued function,
	// unless the database has a table or view of that name, which comes
	// first as in sqlite3. Under older rules such a statement fails with
	// "no such table: generate_series", as before.
	RulesV5 RulesVersion = 5
	// RulesV6 makes virtual tables' shadow tables read-only to writes, as
	// SQLite's SQLITE_DBCONFIG_DEFENSIVE does (shadow.go): a statement
	// that changes, drops or puts a trigger on one (ft_data of an fts5
	// table ft…) fails with SQLite's message and changes nothing. One
	// exception keeps dumps reloading: within one entry, a virtual table
	// created by that entry may have its shadow tables created and
	// filled, until a statement of the entry uses the table. And an
	// SQLITE_CORRUPT_VTAB a module reports about its own shadow tables is
	// the statement's error, not a broken file that halts apply. Two
	// fixes of virtual tables go with it: a module may read PRAGMA
	// data_version while a write runs (fts5 does on its first read of a
	// connection, so a restarted node failed an fts5 DELETE the others
	// applied: policy.isModulePragma); and a failed entry that created a
	// virtual table rolls back its whole transaction, as INSERT OR
	// ROLLBACK does (rolled back to its savepoint, a written fts5 table
	// failed the COMMIT and halted every node). Modules flush what they
	// buffer at the end of each entry (flushVtabs), so an error they find
	// then is the entry's, not the next entry's SAVEPOINT's or the batch's
	// COMMIT's. Under older rules all of these run as before.
	RulesV6 RulesVersion = 6
	// MaxRulesVersion is the newest version this binary knows; a new,
	// empty database starts at it.
	MaxRulesVersion = RulesV6
)

// MaxValueBytes bounds, from RulesV2 on, every string, blob and row a write
// makes (SQLITE_LIMIT_LENGTH of the apply connection): zeroblob, printf,
// group_concat or a concatenation over the limit fail with SQLITE_TOOBIG,
// as the entry's result, on every node alike, before they take a node's
// memory or disk. It is part of the rules: changing it is a new version.
const MaxValueBytes = 32 << 20

// UnknownRulesError is the error apply halts with when the log switches to
// a rules version this binary does not know.
type UnknownRulesError struct {
	Index   uint64
	Version RulesVersion
}

func (e *UnknownRulesError) Error() string {
	msg := fmt.Sprintf("this log needs rules version %d; this binary knows up to %d: upgrade it", e.Version, MaxRulesVersion)
	if e.Index == 0 {
		return msg
	}
	return fmt.Sprintf("entry %d: %s", e.Index, msg)
}

// rulesColumn is the MetaTable column holding the rules version in force;
// initialRulesColumn holds the version the database started at (the one
// in force before the log's first entry). Both are added to existing
// databases (NULL there: RulesV1).
const (
	rulesColumn        = "rules_version"
	initialRulesColumn = "initial_rules_version"
)

// metaTableExists reports whether c's database already has MetaTable, so
// that a database without it is new.
func metaTableExists(c *conn) (bool, error) {
	found := false
	err := c.each("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '"+MetaTable+"'",
		func([]Value) { found = true })
	if err != nil {
		return false, fmt.Errorf("look for %s: %w", MetaTable, err)
	}
	return found, nil
}

// addRulesColumns adds the rules columns to MetaTable where they are
// missing, inside the caller's transaction; a new database (newRules not
// zero) records newRules as both its initial version and the one in force.
func addRulesColumns(c *conn, newRules RulesVersion) error {
	has := map[string]bool{}
	err := c.each("SELECT name FROM pragma_table_info('"+MetaTable+"')", func(row []Value) { has[row[0].Text] = true })
	if err != nil {
		return fmt.Errorf("read %s columns: %w", MetaTable, err)
	}
	for _, col := range []string{rulesColumn, initialRulesColumn} {
		if has[col] {
			continue
		}
		if err := c.exec("ALTER TABLE " + MetaTable + " ADD COLUMN " + col + " INTEGER"); err != nil {
			return fmt.Errorf("add %s: %w", col, err)
		}
	}
	if newRules != 0 {
		sql := fmt.Sprintf("UPDATE %s SET %s = %d, %s = %d WHERE id = 1", MetaTable, rulesColumn, newRules, initialRulesColumn, newRules)
		if err := c.exec(sql); err != nil {
			return fmt.Errorf("record rules version: %w", err)
		}
	}
	return nil
}

// readRulesOn reads the rules version in force and the initial one from
// MetaTable.
func readRulesOn(c *conn) (inForce, initial RulesVersion, err error) {
	inForce, initial = RulesV1, RulesV1
	var bad []Value
	err = c.each("SELECT "+rulesColumn+", "+initialRulesColumn+" FROM "+MetaTable+" WHERE id = 1", func(row []Value) {
		for i, dst := range []*RulesVersion{&inForce, &initial} {
			switch v := row[i]; {
			case v.Type == TypeNull:
			case v.Type == TypeInteger && v.Int >= int64(RulesV1) && v.Int <= math.MaxUint32:
				*dst = RulesVersion(v.Int)
			default:
				bad = row
			}
		}
	})
	if err != nil {
		return 0, 0, fmt.Errorf("read rules version: %w", err)
	}
	if bad != nil {
		return 0, 0, fmt.Errorf("read rules version: bad value %v", bad)
	}
	return inForce, initial, nil
}

// setRules puts version v in force on the apply connection: the policy
// judges the next statements under it and the length limit follows it.
func (w *writer) setRules(v RulesVersion) {
	w.pol.rules = v
	limit := w.defaultLength
	if v >= RulesV2 {
		limit = MaxValueBytes
	}
	sqlite3.Xsqlite3_limit(w.c.tls, w.c.db, sqlite3.SQLITE_LIMIT_LENGTH, limit)
	// It cannot fail: openWriter checked that the build knows the option.
	_ = w.c.setDefensive(v >= RulesV6)
}

// switchRules applies a rules entry at index: it records v in MetaTable in
// the current transaction and puts it in force. A version this binary
// does not know stops apply (the caller halts) rather than guess.
func (w *writer) switchRules(index uint64, v RulesVersion) error {
	if v > MaxRulesVersion {
		return &UnknownRulesError{Index: index, Version: v}
	}
	if _, err := w.run("UPDATE "+MetaTable+" SET "+rulesColumn+" = ?1 WHERE id = 1", Integer(int64(v))); err != nil {
		return err
	}
	w.setRules(v)
	if v >= RulesV3 {
		// The session tables come into being here, at this log position,
		// on every node alike (internal.go).
		w.pol.reset(modeInternal)
		w.budget.reset()
		if err := createInternal(w.c, v); err != nil {
			return fmt.Errorf("entry %d: switch to rules version %d: %w", index, v, err)
		}
	}
	if v < RulesV2 {
		return nil
	}
	// Statistics changed under RulesV1 reached only the nodes that
	// reloaded their schema since: reload them everywhere, at this log
	// position, so every planner starts the new rules alike.
	hasStats, err := w.run("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'")
	if err != nil {
		return err
	}
	if hasStats.Int > 0 {
		if _, err := w.run("ANALYZE sqlite_schema"); err != nil {
			return err
		}
	}
	return nil
}

// loadRules reads the rules version in force from the database and puts it
// in force on the apply connection. The caller holds applyMu (or opens).
func (sm *StateMachine) loadRules() error {
	sm.w.pol.reset(modeInternal)
	v, initial, err := readRulesOn(sm.w.c)
	if err != nil {
		return err
	}
	sm.w.setRules(v)
	sm.rules.Store(uint32(v))
	sm.initialRules.Store(uint32(initial))
	return nil
}

// upgradeRestored adds the rules version columns to a database just
// restored from a snapshot taken before they existed (RulesV1 then), and
// prepares its internal tables for the version in force: a snapshot
// carries the session tables its log position had, so they are created
// only at RulesV3 or later (a repair, as at Open), and only checked for
// squatted names before (prepareInternal).
func (w *writer) upgradeRestored() error {
	w.pol.reset(modeInternal)
	if err := w.c.exec("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := addRulesColumns(w.c, 0); err != nil {
		return errors.Join(err, rollback(w.c))
	}
	if err := prepareInternal(w.c); err != nil {
		return errors.Join(err, rollback(w.c))
	}
	return w.c.exec("COMMIT")
}

// RulesVersion returns the determinism rules version in force after the
// applied index: the one the next entry is applied (and Precheck judges)
// under.
func (sm *StateMachine) RulesVersion() RulesVersion {
	return RulesVersion(sm.rules.Load())
}

// InitialRulesVersion returns the rules version the database started at:
// the one in force before the first entry of the log. Every node of a
// cluster must agree on it; a node that joins starts its new database at
// the version a member reports (Options.NewDatabaseRules).
func (sm *StateMachine) InitialRulesVersion() RulesVersion {
	return RulesVersion(sm.initialRules.Load())
}
