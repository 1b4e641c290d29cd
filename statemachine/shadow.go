package statemachine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Shadow tables (RulesV6). A virtual table's module keeps its data in
// ordinary tables named after it (an fts5 table ft in ft_data, ft_idx,
// ft_content, ft_docsize and ft_config) and caches what it read of them
// on the connection. A write that changed them behind the module's back
// would leave the module's content inconsistent (the next use fails with
// SQLITE_CORRUPT_VTAB) and, worse, its cache stale on the nodes that used
// the table since their last restart and fresh on the others, so nodes
// would diverge. From RulesV6 on the apply connection runs in SQLite's
// defensive mode (SQLITE_DBCONFIG_DEFENSIVE): shadow tables are read-only
// to statements ("table ft_data may not be modified"), may not be
// dropped, nor carry triggers, and no table may be created under a shadow
// table's name. The module itself still writes them while it runs.
//
// A dump reloads a virtual table by creating it and then replacing the
// rows of its shadow tables with the dumped ones (repl/vtabload.go), and
// that stays possible: within one entry, the shadow tables of a virtual
// table created by an earlier statement of the same entry may be created
// (IF NOT EXISTS), filled and emptied, as long as no statement of the
// entry has used the table since (read it, written it, altered or
// dropped it, or named it in a trigger or view it compiles). Then no node
// has anything of the table cached: every node created it in this entry
// and none has read it, so the module reads the loaded rows afresh on
// every node alike. A failed entry that created a virtual table rolls
// back its whole transaction (runEntry). What such a load writes is the
// user's, and may be inconsistent; the module then reports
// SQLITE_CORRUPT_VTAB, the error of the statement that uses the table
// (isVtabCorruption), or of the entry whose data it flushes (flushVtabs).

// setDefensive turns SQLite's defensive mode on or off on the connection.
// Changing it expires the connection's prepared statements (they
// re-prepare on their next step), so it is changed only when it differs.
func (c *conn) setDefensive(on bool) error {
	if c.defensive == on && c.defensiveKnown {
		return nil
	}
	flag := int32(0)
	if on {
		flag = 1
	}
	va := c.tls.Alloc(16)
	defer c.tls.Free(16)
	libc.VaList(va, flag, uintptr(0))
	if rc := sqlite3.Xsqlite3_db_config(c.tls, c.db, sqlite3.SQLITE_DBCONFIG_DEFENSIVE, va); rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("set defensive mode: %w", c.lastError(rc))
	}
	c.defensive, c.defensiveKnown = on, true
	return nil
}

// freshVtabs are the virtual tables an entry created and has not used
// since, by ASCII-lowercased name: their shadow tables may be loaded.
type freshVtabs map[string]bool

// shadowOwner returns the lowercased name of the fresh virtual table
// whose shadow table name would be, by SQLite's rule (the name up to its
// last "_" is the virtual table's), or "".
func (f freshVtabs) shadowOwner(name string) string {
	i := strings.LastIndexByte(name, '_')
	if i <= 0 {
		return ""
	}
	if owner := sqlval.LowerASCII(name[:i]); f[owner] {
		return owner
	}
	return ""
}

// shadowLoad is the authorizer's state while a statement is compiled
// with defensive mode lifted: it may only write the shadow tables of
// fresh virtual tables.
type shadowLoad struct {
	fresh freshVtabs
	// refused is set when the statement does anything else.
	refused bool
}

// check records whether the action is part of loading a fresh virtual
// table's shadow tables: creating or writing one (SQLite's own row of
// sqlite_schema for a CREATE TABLE included), reading any table but a
// fresh virtual table itself, selecting and calling functions (judged by
// the write rules as always). Anything else (a trigger, an index, a DROP,
// an ALTER…) is refused.
func (l *shadowLoad) check(action sqlite.AuthorizerActionCode, arg1 string) {
	switch action {
	case sqlite.AuthSelect, sqlite.AuthFunction, sqlite.AuthRecursive:
		return
	case sqlite.AuthRead:
		if !l.fresh[sqlval.LowerASCII(arg1)] {
			return
		}
	case sqlite.AuthInsert, sqlite.AuthUpdate, sqlite.AuthDelete:
		if l.fresh.shadowOwner(arg1) != "" || isSchemaTable(arg1) {
			return
		}
	case sqlite.AuthCreateTable:
		if l.fresh.shadowOwner(arg1) != "" {
			return
		}
	}
	l.refused = true
}

// isSchemaTable reports whether name is the main schema table, which a
// CREATE TABLE writes (a statement of the user's cannot: it is read-only
// without writable_schema, which writes may not set).
func isSchemaTable(name string) bool {
	n := sqlval.LowerASCII(name)
	return n == "sqlite_master" || n == "sqlite_schema"
}

// useTables removes from the entry's fresh virtual tables those the
// statement just compiled names (its policy's tables).
func (w *writer) useTables() {
	if len(w.fresh) == 0 {
		return
	}
	for _, t := range w.pol.tables {
		delete(w.fresh, sqlval.LowerASCII(t))
	}
}

// noteCreated records name, the virtual table the statement that just
// ran created ("" if none), as fresh for the rest of the entry.
func (w *writer) noteCreated(name string) {
	if w.pol.rules < RulesV6 || name == "" {
		return
	}
	if w.fresh == nil {
		w.fresh = freshVtabs{}
	}
	w.fresh[sqlval.LowerASCII(name)] = true
}

// prepareShadowLoad compiles the first statement of sql with defensive
// mode lifted, when SQLite refused it in defensive mode and the entry has
// fresh virtual tables, and returns it if it only loads their shadow
// tables (ok). The caller steps it, then calls endShadowLoad. If the
// statement does anything else, ok is false and defensive mode is back.
func (w *writer) prepareShadowLoad(sql string) (stmt uintptr, n int, ok bool, err error) {
	if w.pol.rules < RulesV6 || len(w.fresh) == 0 {
		return 0, 0, false, nil
	}
	if err := w.c.setDefensive(false); err != nil {
		return 0, 0, false, &envError{err}
	}
	w.pol.reset(modeWrite)
	w.pol.load = &shadowLoad{fresh: w.fresh}
	stmt, n, perr := w.c.prepare(sql)
	if perr == nil && stmt != 0 && !w.pol.load.refused {
		return stmt, n, true, nil
	}
	w.c.finalize(stmt)
	return 0, 0, false, w.endShadowLoad()
}

// endShadowLoad puts defensive mode back after a statement compiled by
// prepareShadowLoad.
func (w *writer) endShadowLoad() error {
	w.pol.load = nil
	if err := w.c.setDefensive(true); err != nil {
		return &envError{err}
	}
	return nil
}

// isVtabCorruption reports whether code, under rules v, is a virtual
// table module's report that the content of its shadow tables is
// inconsistent (SQLITE_CORRUPT_VTAB, 267): from RulesV6 on, a statement
// error. The module computes it from the replicated rows of its shadow
// tables and from its cache of them, which with shadow tables read-only
// always matches them, so every node reports it alike; a damaged file is
// reported by SQLite's b-tree layer as SQLITE_CORRUPT (11) and its
// other extended codes, which still halt the node.
func isVtabCorruption(code int, v RulesVersion) bool {
	return v >= RulesV6 && code == sqlite3.SQLITE_CORRUPT_VTAB
}

// flushSavepoint is the savepoint flushVtabs opens.
const flushSavepoint = ReservedPrefix + "flush"

// flushVtabs makes, from RulesV6 on, the virtual tables the transaction
// wrote write out what they buffer (fts5 keeps an entry's new index data
// in memory), at the end of an entry that succeeded, by opening a
// savepoint inside the entry's (the caller then releases both): SQLite
// calls each module's xSavepoint, which fts5 answers by flushing. Otherwise the module flushes when the next
// entry opens its savepoint, or at COMMIT, where a batch happens to end,
// and an error it finds in its shadow tables there (SQLITE_CORRUPT_VTAB,
// an unknown format) would halt apply. Here it is the entry's error, as
// the data it flushes is the entry's own, on every node alike (a flush
// after every entry leaves nothing of earlier entries buffered); the
// caller then rolls the transaction back (flushFailed). si is the entry's
// last statement, which the error is reported at.
func (w *writer) flushVtabs(si int) (*Error, error) {
	if w.pol.rules < RulesV6 {
		return nil, nil
	}
	left := w.budget.suspend()
	defer w.budget.resume(left)
	// The entry's RELEASE releases this savepoint with its own.
	_, err := w.run("SAVEPOINT " + flushSavepoint)
	if err == nil {
		return nil, nil
	}
	var se *sqliteError
	if !errors.As(err, &se) || (isEnvironment(se.code) && !isVtabCorruption(se.code, w.pol.rules)) {
		return nil, &envError{err}
	}
	w.flushFailed = true
	return &Error{Kind: ErrorRuntime, Code: se.code, Message: se.msg, Statement: si, Offset: -1}, nil
}
