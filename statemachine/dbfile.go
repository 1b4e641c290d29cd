package statemachine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// ErrBadDatabase is wrapped by ValidateDatabase's refusals.
var ErrBadDatabase = errors.New("not a database ReSqlite can take")

// sqliteHeader begins every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// ValidateDatabase checks that the file at path is a database a restore
// or -boot can take: an SQLite database in UTF-8 that passes SQLite's
// integrity check, with no object whose name (or whose table's name)
// begins with ReservedPrefix and none of SQLite's statistics tables
// (sqlite_stat*: planner data that writes may not reach). Its refusals
// wrap ErrBadDatabase; an error of the environment (I/O, memory, disk)
// does not, so that a node can tell the file's fault, the same on every
// node, from its own. It only reads the file (SQLite may create its -shm
// and -wal beside a database in WAL mode).
func ValidateDatabase(path string) error {
	if err := checkHeader(path); err != nil {
		return err
	}
	c, err := openConn(&sqlite.Driver{}, path)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer c.close()
	var bad []string
	var envErr error
	check := func(sql string, ok func(row []Value) bool, what func(row []Value) string) {
		if len(bad) > 0 || envErr != nil {
			return
		}
		err := c.each(sql, func(row []Value) {
			if !ok(row) {
				bad = append(bad, what(row))
			}
		})
		switch {
		case err == nil:
		case isContentError(err):
			bad = append(bad, err.Error())
		default:
			envErr = fmt.Errorf("check %s: %s: %w", path, sql, err)
		}
	}
	check("PRAGMA encoding", func(row []Value) bool { return row[0].Text == "UTF-8" },
		func(row []Value) string { return "its text encoding is " + row[0].Text + ", not UTF-8" })
	check("PRAGMA integrity_check", func(row []Value) bool { return row[0].Text == "ok" },
		func(row []Value) string { return "integrity check: " + row[0].Text })
	check("SELECT type, name, tbl_name FROM sqlite_schema ORDER BY rowid", allowedObject,
		func(row []Value) string { return fmt.Sprintf("%s %s is reserved", row[0].Text, row[1].Text) })
	if envErr != nil {
		return envErr
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s: %s (names beginning with %s are ReSqlite's; sqlite_stat* tables are the planner's: drop them, or ANALYZE nothing)",
			ErrBadDatabase, path, strings.Join(bad, "; "), sqlval.ReservedPrefix)
	}
	return nil
}

// isContentError reports whether err is SQLite's verdict on the file's
// content (not a database, corrupt) rather than on the environment.
func isContentError(err error) bool {
	var se *sqliteError
	if !errors.As(err, &se) {
		return false
	}
	switch se.code & 0xff {
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_FORMAT, sqlite3.SQLITE_RANGE, sqlite3.SQLITE_ERROR:
		return true
	}
	return false
}

// allowedObject reports whether the sqlite_schema row (type, name,
// tbl_name) may be in a restored database.
func allowedObject(row []Value) bool {
	typ, name, tbl := row[0].Text, row[1].Text, row[2].Text
	if sqlval.HasReservedPrefix(name) || sqlval.HasReservedPrefix(tbl) {
		return false
	}
	return !(typ == "table" && isStatTable(name))
}

// checkHeader refuses a file that does not begin as an SQLite database.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadDatabase, err)
	}
	defer f.Close()
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil || string(hdr[:len(sqliteHeader)]) != sqliteHeader {
		return fmt.Errorf("%w: %s is not an SQLite database file", ErrBadDatabase, path)
	}
	return nil
}

// prepareRestored turns the validated user database at path into the
// database a node swaps in at log index (of term): rollback journal, the
// page size of the node's database (pageSize; a VACUUM converts it, on
// every node alike), and the internal tables of the database at mainPath
// copied in, in their order, with RestoreTable left empty and index and
// term recorded as applied.
func prepareRestored(path, mainPath string, pageSize int64, index, term uint64) error {
	c, err := openConn(&sqlite.Driver{}, path)
	if err != nil {
		return err
	}
	defer c.close()
	steps := []string{"PRAGMA journal_mode = DELETE"}
	var have []Value
	if err := c.each("PRAGMA page_size", func(row []Value) { have = row }); err != nil {
		return fmt.Errorf("restored database: %w", err)
	}
	if len(have) == 0 || have[0].Int != pageSize {
		steps = append(steps, fmt.Sprintf("PRAGMA page_size = %d", pageSize), "VACUUM")
	}
	steps = append(steps, "ATTACH DATABASE "+quoteString(mainPath)+" AS cur", "BEGIN")
	var tables [][]Value
	for _, s := range steps {
		if err := c.exec(s); err != nil {
			return fmt.Errorf("restored database: %s: %w", s, err)
		}
	}
	var list []string
	for _, t := range sqlval.InternalTables() {
		list = append(list, quoteString(t))
	}
	err = c.each("SELECT name, sql FROM cur.sqlite_schema WHERE type = 'table' AND name IN ("+strings.Join(list, ", ")+") ORDER BY rowid",
		func(row []Value) { tables = append(tables, row) })
	if err != nil {
		return errors.Join(fmt.Errorf("restored database: %w", err), c.exec("ROLLBACK"))
	}
	steps = steps[:0]
	for _, t := range tables {
		steps = append(steps, t[1].Text)
		if t[0].Text != RestoreTable {
			steps = append(steps, "INSERT INTO main."+quoteIdent(t[0].Text)+" SELECT * FROM cur."+quoteIdent(t[0].Text))
		}
	}
	steps = append(steps, fmt.Sprintf("UPDATE main.%s SET applied_index = %d, %s = %d WHERE id = 1", MetaTable, index, appliedTermColumn, term),
		"COMMIT", "DETACH DATABASE cur")
	for _, s := range steps {
		if err := c.exec(s); err != nil {
			return errors.Join(fmt.Errorf("restored database: %s: %w", s, err), c.exec("ROLLBACK"))
		}
	}
	return nil
}
