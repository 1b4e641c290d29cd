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

// seriesProbe tells whether the user has a table or view named
// generate_series (a lookup in the schema just loaded, not a scan of
// sqlite_schema): while there is one, the connection's TEMP
// generate_series (series.go), which SQLite would find first, is dropped,
// so that reads see the user's table as sqlite3 does. It costs a pragma
// table (a statement prepared at each run), so it runs only when the
// schema cookie (cookieProbe) differs from the one it last ran at.
const seriesProbe = "SELECT count(*) FROM pragma_table_info('generate_series', 'main')"

// cookieProbe reads the schema cookie of the snapshot the transaction
// reads: SQLite changes it with every change of the schema (the backup
// API that restores a database too).
const cookieProbe = "PRAGMA main.schema_version"

// snapshotStmts are a read connection's prepared BEGIN, schemaProbe,
// cookieProbe, seriesProbe and ROLLBACK (0 until first used): a read
// costs their steps, not their compilation.
type snapshotStmts struct {
	begin, probe, cookie, series, end uintptr
}

// finalize releases the statements; c closes next.
func (s *snapshotStmts) finalize(c *conn) {
	for _, stmt := range []*uintptr{&s.begin, &s.probe, &s.cookie, &s.series, &s.end} {
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
	for attempt := 0; ; attempt++ {
		err := r.c.runCached(&r.tx.begin, "BEGIN")
		if err == nil {
			err = r.c.runCached(&r.tx.probe, schemaProbe)
		}
		var cookie, userSeries int64
		if err == nil {
			cookie, err = r.c.intCached(&r.tx.cookie, cookieProbe)
		}
		if err == nil && r.seriesChecked && cookie == r.seriesCookie {
			return nil
		}
		if err == nil {
			userSeries, err = r.c.intCached(&r.tx.series, seriesProbe)
		}
		if err != nil {
			r.endSnapshot()
			return fmt.Errorf("begin read transaction: %w", err)
		}
		placed := r.series == (userSeries == 0)
		r.seriesChecked, r.seriesCookie = placed, cookie
		if placed || attempt == 2 {
			return nil
		}
		// The TEMP table changes outside the read transaction (its
		// ROLLBACK would undo the change); then the snapshot is taken
		// again.
		r.endSnapshot()
		if err := r.placeSeries(userSeries == 0); err != nil {
			return err
		}
	}
}

// placeSeries creates (want) or drops the connection's TEMP
// generate_series, outside any transaction.
func (r *reader) placeSeries(want bool) error {
	// Internal work, as beginSnapshot's, which goes on in this mode
	// (endSnapshot left the policy in read mode).
	r.pol.reset(modeInternal)
	sql := "DROP TABLE temp.generate_series"
	if want {
		sql = CreateGenerateSeries
	}
	err := r.c.exec("PRAGMA query_only=OFF")
	if err == nil {
		err = r.c.exec(sql)
	}
	if qerr := r.c.exec("PRAGMA query_only=ON"); err == nil {
		err = qerr
	}
	r.seriesChecked = false
	if err != nil {
		return fmt.Errorf("read connection generate_series: %w", err)
	}
	r.series = want
	return nil
}

// dropSeries drops the connection's TEMP generate_series, before a dump or
// a digest, whose statements name the user's tables unqualified (SQLite
// would find the TEMP table first); the next read transaction puts it
// back where it belongs (beginSnapshot).
func (r *reader) dropSeries() error {
	if !r.series {
		return nil
	}
	return r.placeSeries(false)
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

// intCached runs the statement *slot holds (preparing sql into it first
// if it holds none) and returns the integer in its first row's first
// column.
func (c *conn) intCached(slot *uintptr, sql string) (int64, error) {
	stmt, err := c.cachedStmt(slot, sql)
	if err != nil {
		return 0, err
	}
	defer sqlite3.Xsqlite3_reset(c.tls, stmt)
	switch rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc {
	case sqlite3.SQLITE_ROW:
		return sqlite3.Xsqlite3_column_int64(c.tls, stmt, 0), nil
	default:
		return 0, c.lastError(rc)
	}
}

// runCached runs the statement *slot holds, preparing sql into it first
// if it holds none, to its end; the statement is reset for the next run.
// A statement prepared against an older schema is prepared again by
// sqlite3_step itself.
func (c *conn) runCached(slot *uintptr, sql string) error {
	stmt, err := c.cachedStmt(slot, sql)
	if err != nil {
		return err
	}
	defer sqlite3.Xsqlite3_reset(c.tls, stmt)
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc {
		case sqlite3.SQLITE_ROW:
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return c.lastError(rc)
		}
	}
}

// cachedStmt returns the statement *slot holds, preparing sql into it
// first if it holds none.
func (c *conn) cachedStmt(slot *uintptr, sql string) (uintptr, error) {
	if *slot == 0 {
		stmt, _, err := c.prepare(sql)
		if err != nil {
			return 0, err
		}
		*slot = stmt
	}
	return *slot, nil
}
