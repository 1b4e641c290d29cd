package statemachine

import (
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"
)

// schemaProbe is the first statement of every read transaction on a read
// connection. Running it checks the connection's copy of the schema
// against the schema cookie of the snapshot the transaction reads, and
// reloads the schema when apply changed it since (SQLite checks the
// cookie when a statement starts, not when it is prepared).
const schemaProbe = "SELECT 1 FROM sqlite_schema LIMIT 1"

// snapshotStmts are a read connection's prepared BEGIN, schemaProbe and
// ROLLBACK (0 until first used): a read costs their steps, not their
// compilation.
type snapshotStmts struct {
	begin, probe, end uintptr
}

// finalize releases the statements; c closes next.
func (s *snapshotStmts) finalize(c *conn) {
	for _, stmt := range []*uintptr{&s.begin, &s.probe, &s.end} {
		c.finalize(*stmt)
		*stmt = 0
	}
}

// beginSnapshot opens a read transaction on r and brings the connection's
// schema up to date with the snapshot it reads, so that statements
// prepared next are compiled against the schema of the state they read.
// A pooled connection otherwise keeps the schema it last loaded, and the
// checks SQLite makes while preparing (a sub-select's column count, a
// compound SELECT's) would use a table's dropped definition (issue 14,
// bug 7). endSnapshot ends the transaction.
func (r *reader) beginSnapshot() error {
	r.pol.reset(modeInternal)
	defer r.pol.reset(modeRead)
	if r.c.inTransaction() {
		// Left open by a read whose ROLLBACK failed: never read from it.
		if err := r.c.runCached(&r.tx.end, "ROLLBACK"); err != nil {
			return fmt.Errorf("end a stale read transaction: %w", err)
		}
	}
	err := r.c.runCached(&r.tx.begin, "BEGIN")
	if err == nil {
		err = r.c.runCached(&r.tx.probe, schemaProbe)
	}
	if err != nil {
		r.endSnapshot()
		return fmt.Errorf("begin read transaction: %w", err)
	}
	return nil
}

// endSnapshot ends the read transaction beginSnapshot opened (a read
// connection has nothing to commit).
func (r *reader) endSnapshot() {
	r.pol.reset(modeInternal)
	defer r.pol.reset(modeRead)
	if r.c.inTransaction() {
		r.c.runCached(&r.tx.end, "ROLLBACK")
	}
}

// runCached runs the statement *slot holds, preparing sql into it first
// if it holds none, to its end; the statement is reset for the next run.
// A statement prepared against an older schema is prepared again by
// sqlite3_step itself.
func (c *conn) runCached(slot *uintptr, sql string) error {
	if *slot == 0 {
		stmt, _, err := c.prepare(sql)
		if err != nil {
			return err
		}
		*slot = stmt
	}
	defer sqlite3.Xsqlite3_reset(c.tls, *slot)
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, *slot); rc {
		case sqlite3.SQLITE_ROW:
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return c.lastError(rc)
		}
	}
}
