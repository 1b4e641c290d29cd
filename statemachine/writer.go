package statemachine

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
	sqlite3 "modernc.org/sqlite/lib"
)

// writer is the apply connection: the only connection that writes.
type writer struct {
	c *conn
	// path is the database file's.
	path  string
	pol   *policy
	guard *clockGuard
	// internal caches ReSqlite's own prepared statements by SQL text.
	internal map[string]uintptr
	// maxRowid caches, per table, the statement that reads its largest rowid.
	maxRowid map[string]uintptr
	// budget bounds the work of each entry.
	budget *stepBudget
	// resultBytes is the size of the rows the current entry returned.
	resultBytes int
	// defaultLength is the build's SQLITE_LIMIT_LENGTH, the limit under
	// RulesV1.
	defaultLength int32
	// seriesProbe is the prepared seriesWriteProbe (serieswrite.go), or 0.
	seriesProbe uintptr
	// fresh are the virtual tables the current entry created and has not
	// used since (shadow.go).
	fresh freshVtabs
	// createdVtab is set, from RulesV6 on, once the current entry ran a
	// CREATE VIRTUAL TABLE: if the entry fails, its whole transaction is
	// rolled back (runEntry).
	createdVtab bool
	// flushFailed is set when the virtual tables' flush at the end of the
	// current entry failed (flushVtabs).
	flushFailed bool
	// leader is the leader time of the apply transaction in progress
	// (session.go).
	leader leaderTime
}

// MaxResultBytes bounds the rows one entry may return (a SELECT in a block,
// RETURNING), counted as the bytes of TEXT and BLOB values plus 16 per
// value: every node holds them in memory and the proposer receives them.
// An entry over the limit fails with SQLITE_TOOBIG, on every node alike.
const MaxResultBytes = 32 << 20

// rowSize is a row's size as MaxResultBytes counts it.
func rowSize(row []Value) int {
	n := 0
	for _, v := range row {
		n += 16 + len(v.Text) + len(v.Blob)
	}
	return n
}

// openWriter opens the apply connection with its fixed settings, its
// authorizer and the date/time overrides, and creates the internal tables
// (internal.go).
func openWriter(path string, maxEntrySteps int64, newRules RulesVersion, testSleep bool) (*writer, error) {
	g, err := newClockGuard()
	if err != nil {
		return nil, err
	}
	d, err := newApplyDriver(g)
	if err == nil && testSleep {
		err = registerTestSleep(d)
	}
	if err != nil {
		g.close()
		return nil, err
	}
	c, err := openConn(d, path)
	if err != nil {
		g.close()
		return nil, err
	}
	w := &writer{c: c, path: path, pol: &policy{mode: modeInternal}, guard: g, internal: map[string]uintptr{}, maxRowid: map[string]uintptr{}}
	if err := c.exec(applySettings); err != nil {
		w.close()
		return nil, fmt.Errorf("apply connection settings: %w", err)
	}
	if err := c.setDefensive(false); err != nil {
		w.close()
		return nil, err
	}
	if err := c.registerAuthorizer(w.pol.authorize); err != nil {
		w.close()
		return nil, err
	}
	if w.budget, err = newStepBudget(c, maxEntrySteps); err != nil {
		w.close()
		return nil, err
	}
	w.defaultLength = sqlite3.Xsqlite3_limit(c.tls, c.db, sqlite3.SQLITE_LIMIT_LENGTH, -1)
	if err := createMeta(c, newRules); err != nil {
		w.close()
		return nil, fmt.Errorf("create %s: %w", MetaTable, err)
	}
	if err := addAppliedTerm(c); err != nil {
		w.close()
		return nil, err
	}
	if err := migrateInternal(c); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

// createMeta creates MetaTable in one transaction, with its rules version
// (newRules in a new database).
func createMeta(c *conn, newRules RulesVersion) error {
	exists, err := metaTableExists(c)
	if err != nil {
		return err
	}
	if err := c.exec("BEGIN IMMEDIATE;" + metaSchema); err != nil {
		return errors.Join(err, rollback(c))
	}
	if exists {
		newRules = 0
	}
	if err := addRulesColumns(c, newRules); err != nil {
		return errors.Join(err, rollback(c))
	}
	return c.exec("COMMIT")
}

// rollback ends c's transaction, if one is open, without committing.
func rollback(c *conn) error {
	if !c.inTransaction() {
		return nil
	}
	return c.exec("ROLLBACK")
}

// close finalizes every cached statement and closes the connections.
func (w *writer) close() error {
	if w == nil || w.c == nil {
		return nil
	}
	w.dropCaches()
	if w.budget != nil {
		w.budget.close()
	}
	err := errors.Join(w.c.close(), w.guard.close())
	w.c = nil
	return err
}

// dropCaches finalizes the cached statements (before a restore or close).
func (w *writer) dropCaches() {
	for k, s := range w.internal {
		w.c.finalize(s)
		delete(w.internal, k)
	}
	for k, s := range w.maxRowid {
		w.c.finalize(s)
		delete(w.maxRowid, k)
	}
	w.c.finalize(w.seriesProbe)
	w.seriesProbe = 0
}

// run executes one of ReSqlite's own statements (cached), binding params,
// and returns the first column of the first row if there is one.
func (w *writer) run(sql string, params ...Value) (Value, error) {
	row, err := w.runRow(sql, params...)
	if err != nil || row == nil {
		return Value{}, err
	}
	return row[0], nil
}

// runRow executes one of ReSqlite's own statements (cached), binding
// params, and returns its first row, or nil if it returned none.
func (w *writer) runRow(sql string, params ...Value) ([]Value, error) {
	w.pol.reset(modeInternal)
	w.budget.reset()
	stmt, ok := w.internal[sql]
	if !ok {
		s, _, err := w.c.prepare(sql)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", sql, err)
		}
		w.internal[sql] = s
		stmt = s
	}
	tls := w.c.tls
	defer sqlite3.Xsqlite3_reset(tls, stmt)
	for i, p := range params {
		if rc := w.c.bindValue(stmt, int32(i+1), p); rc != sqlite3.SQLITE_OK {
			return nil, fmt.Errorf("bind %q: %w", sql, w.c.lastError(rc))
		}
	}
	var first []Value
	for {
		rc := sqlite3.Xsqlite3_step(tls, stmt)
		switch rc {
		case sqlite3.SQLITE_ROW:
			if first == nil {
				first = w.c.row(stmt, int(sqlite3.Xsqlite3_column_count(tls, stmt)))
			}
			continue
		case sqlite3.SQLITE_DONE:
			return first, nil
		}
		return nil, fmt.Errorf("%q: %w", sql, w.c.lastError(rc))
	}
}

// readMeta reads the applied index and configuration.
func (w *writer) readMeta() (applied, cfgIndex uint64, cfg []byte, err error) {
	w.pol.reset(modeInternal)
	return readMetaOn(w.c)
}

// writeMeta records the applied index, the term of that entry and the
// configuration in the current transaction.
func (w *writer) writeMeta(applied, term, cfgIndex uint64, cfg []byte) error {
	c := Null()
	if cfg != nil {
		c = Blob(cfg)
	}
	_, err := w.run("UPDATE "+MetaTable+" SET applied_index = ?1, config_index = ?2, config = ?3, "+appliedTermColumn+" = ?4 WHERE id = 1",
		Integer(int64(applied)), Integer(int64(cfgIndex)), c, Integer(int64(term)))
	return err
}

// envError is an error of the node's environment: apply must stop.
type envError struct{ err error }

func (e *envError) Error() string { return e.err.Error() }
func (e *envError) Unwrap() error { return e.err }

// execStatement runs one Statement of a Command (index si) under the write
// policy and returns the results of the SQL statements in its text. A
// statement error caused by the SQL or the data is returned as *Error; an
// environment error as *envError. From RulesV5 on, generate_series is
// there for the Statement if its text names it (serieswrite.go).
func (w *writer) execStatement(si int, st Statement) ([]StatementResult, *Error, error) {
	placed, err := w.placeSeries(st.SQL)
	if err != nil {
		return nil, nil, err
	}
	results, serr, env := w.execText(si, st)
	if placed && env == nil {
		env = w.removeSeries()
	}
	return results, serr, env
}

// execText runs the SQL statements of st's text, as execStatement.
func (w *writer) execText(si int, st Statement) ([]StatementResult, *Error, error) {
	if strings.TrimSpace(st.SQL) == "" {
		return nil, &Error{Kind: ErrorParse, Code: sqlite3.SQLITE_ERROR, Message: "empty statement", Statement: si, Offset: -1}, nil
	}
	var results []StatementResult
	rest, base := st.SQL, 0
	for first := true; ; first = false {
		res, n, serr, env := w.execNext(si, st, rest, base, first)
		if serr != nil || env != nil {
			return results, serr, env
		}
		if n == 0 {
			return results, nil, nil
		}
		results = append(results, *res)
		rest, base = rest[n:], base+n
		if strings.TrimSpace(rest) == "" {
			return results, nil, nil
		}
	}
}

// execNext compiles and runs the first SQL statement of rest (at byte
// base of st's text) and returns its result and the length of text it
// consumed (0, and no result, when rest holds no statement).
func (w *writer) execNext(si int, st Statement, rest string, base int, first bool) (res *StatementResult, n int, serr *Error, env error) {
	stmt, n, lifted, err := w.prepareWrite(rest)
	if lifted {
		defer func() {
			if e := w.endShadowLoad(); e != nil && env == nil {
				res, serr, env = nil, nil, e
			}
		}()
	}
	if err != nil {
		serr, env := w.statementError(err, si, base, ErrorParse)
		return nil, 0, serr, env
	}
	if stmt == 0 {
		if first {
			return nil, 0, &Error{Kind: ErrorParse, Code: sqlite3.SQLITE_ERROR, Message: "empty statement", Statement: si, Offset: -1}, nil
		}
		return nil, 0, nil, nil
	}
	defer w.c.finalize(stmt)
	w.useTables()
	if !first && len(st.Params) > 0 {
		return nil, 0, &Error{Kind: ErrorParse, Code: sqlite3.SQLITE_RANGE, Message: "parameters are bound to a text that holds several statements", Statement: si, Offset: base}, nil
	}
	if v := w.pol.verdict(); v != "" {
		return nil, 0, &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: v, Statement: si, Offset: -1}, nil
	}
	if name := w.pol.unknownSavepoint; name != "" {
		// What SQLite says when the entry's own savepoint is out of reach.
		return nil, 0, &Error{Kind: ErrorRuntime, Code: sqlite3.SQLITE_ERROR, Message: "no such savepoint: " + name, Statement: si, Offset: -1}, nil
	}
	var before map[string]bool
	if w.pol.altered {
		if before, err = w.reservedNames(); err != nil {
			return nil, 0, nil, err
		}
	}
	created := w.pol.createdVtab
	if created != "" && w.pol.rules >= RulesV6 {
		w.createdVtab = true
	}
	r, serr, env := w.step(stmt, si, base, st.Params, rest[:n])
	if serr == nil && env == nil && before != nil {
		serr, env = w.checkRenamed(si, before)
	}
	if serr != nil || env != nil {
		return nil, 0, serr, env
	}
	w.noteCreated(created)
	return &r, n, nil, nil
}

// prepareWrite compiles the first statement of rest under the write
// policy. A statement SQLite's defensive mode refused is compiled again
// without it when it only loads the shadow tables of a virtual table the
// entry created (lifted; the caller ends the lift once it ran).
func (w *writer) prepareWrite(rest string) (stmt uintptr, n int, lifted bool, err error) {
	w.pol.reset(modeWrite)
	stmt, n, err = w.c.prepare(rest)
	if err == nil || w.pol.violation != "" {
		return stmt, n, false, err
	}
	ls, ln, ok, lerr := w.prepareShadowLoad(rest)
	switch {
	case lerr != nil:
		return 0, 0, false, lerr
	case ok:
		return ls, ln, true, nil
	}
	w.pol.reset(modeWrite)
	return 0, 0, false, err
}

// step binds params, checks the policy's verdict and runs stmt (whose
// SQL text is text).
func (w *writer) step(stmt uintptr, si, base int, params []Param, text string) (StatementResult, *Error, error) {
	var res StatementResult
	tls := w.c.tls
	// A module may read data_version while the statement runs, unless
	// the statement reads it itself (pragma_data_version runs the PRAGMA
	// while the statement runs too).
	modules := !readsPragmaTable(w.pol.pragmaTables, "pragma_data_version")
	if isUnauthorizedWrite(w.c, stmt, w.pol, text) {
		return res, &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: unauthorizedWriteMessage(text), Statement: si, Offset: -1}, nil
	}
	if err := w.c.bind(stmt, params); err != nil {
		serr, env := w.statementError(err, si, base, ErrorRuntime)
		return res, serr, env
	}
	if serr, env := w.checkMaxRowid(si); serr != nil || env != nil {
		return res, serr, env
	}
	w.pol.reset(modeWrite) // a re-prepare while stepping is judged again
	w.pol.stepping = modules
	defer func() { w.pol.stepping = false }()
	sqlite3.Xsqlite3_set_last_insert_rowid(tls, w.c.db, 0)
	before := sqlite3.Xsqlite3_total_changes64(tls, w.c.db)
	ncol := int(sqlite3.Xsqlite3_column_count(tls, stmt))
	if ncol > 0 {
		res.Columns = w.c.columns(stmt)
	}
	for {
		rc := sqlite3.Xsqlite3_step(tls, stmt)
		if rc == sqlite3.SQLITE_ROW {
			row := w.c.row(stmt, ncol)
			if w.resultBytes += rowSize(row); w.resultBytes > MaxResultBytes {
				return res, &Error{Kind: ErrorRuntime, Code: sqlite3.SQLITE_TOOBIG,
					Message:   fmt.Sprintf("the entry returns more than %d bytes of rows; read them with a query instead", MaxResultBytes),
					Statement: si, Offset: -1}, nil
			}
			res.Rows = append(res.Rows, row)
			continue
		}
		if rc != sqlite3.SQLITE_DONE {
			serr, env := w.statementError(w.c.lastError(rc), si, base, ErrorRuntime)
			return res, serr, env
		}
		break
	}
	if sqlite3.Xsqlite3_total_changes64(tls, w.c.db) != before {
		res.RowsAffected = sqlite3.Xsqlite3_changes64(tls, w.c.db)
	}
	res.LastInsertRowID = sqlite3.Xsqlite3_last_insert_rowid(tls, w.c.db)
	return res, nil, nil
}

// statementError classifies err from preparing or stepping statement si.
func (w *writer) statementError(err error, si, base int, kind ErrorKind) (*Error, error) {
	var se *sqliteError
	if !errors.As(err, &se) {
		return nil, &envError{err}
	}
	if w.pol.violation != "" {
		return &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: w.pol.violation, Statement: si, Offset: -1}, nil
	}
	if se.code == sqlite3.SQLITE_INTERRUPT && w.budget.exhausted() {
		return &Error{Kind: ErrorRuntime, Code: se.code, Message: w.budget.message(), Statement: si, Offset: -1}, nil
	}
	if isEnvironment(se.code) && !isVtabCorruption(se.code, w.pol.rules) {
		return nil, &envError{err}
	}
	off := -1
	if se.offset >= 0 {
		off = base + se.offset
	}
	return &Error{Kind: kind, Code: se.code, Message: se.msg, Statement: si, Offset: off}, nil
}

// checkMaxRowid refuses an insert into a table whose largest rowid is
// already the maximum (9223372036854775807): SQLite would then pick a
// random unused rowid, and nodes would diverge. The check runs before the
// statement, for every table the statement (or a trigger it fires) may
// insert into; it also refuses inserts with an explicit rowid into such a
// table, which is deterministic and documented.
func (w *writer) checkMaxRowid(si int) (*Error, error) {
	if len(w.pol.inserts) == 0 {
		return nil, nil
	}
	tables := append([]string(nil), w.pol.inserts...)
	for _, t := range tables {
		stmt, ok := w.maxRowid[t]
		if !ok {
			w.pol.reset(modeInternal)
			s, _, err := w.c.prepare("SELECT max(_rowid_) FROM " + sqlval.QuoteIdent(t))
			if err != nil {
				// WITHOUT ROWID tables and views have no rowid to run out of.
				var se *sqliteError
				if errors.As(err, &se) && isEnvironment(se.code) && !isVtabCorruption(se.code, w.pol.rules) {
					return nil, &envError{err}
				}
				continue
			}
			w.maxRowid[t] = s
			stmt = s
		}
		w.pol.reset(modeInternal)
		rc := sqlite3.Xsqlite3_step(w.c.tls, stmt)
		var full bool
		if rc == sqlite3.SQLITE_ROW {
			full = sqlite3.Xsqlite3_column_type(w.c.tls, stmt, 0) == sqlite3.SQLITE_INTEGER &&
				sqlite3.Xsqlite3_column_int64(w.c.tls, stmt, 0) == math.MaxInt64
		}
		if rc != sqlite3.SQLITE_ROW && rc != sqlite3.SQLITE_DONE {
			err := w.c.lastError(rc)
			sqlite3.Xsqlite3_reset(w.c.tls, stmt)
			if isEnvironment(err.code) && !isVtabCorruption(err.code, w.pol.rules) {
				return nil, &envError{err}
			}
			w.c.finalize(stmt)
			delete(w.maxRowid, t)
			continue
		}
		sqlite3.Xsqlite3_reset(w.c.tls, stmt)
		if full {
			return &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_FULL,
				Message:   fmt.Sprintf("table %s has reached the largest rowid (%d): SQLite would pick a random rowid, so nodes would diverge", t, int64(math.MaxInt64)),
				Statement: si, Offset: -1}, nil
		}
	}
	return nil, nil
}

// checkRenamed refuses an ALTER TABLE … RENAME TO that gave a table a
// reserved name (the authorizer sees only the old name): under every rules
// version an internal table's name, from RulesV3 on any name beginning
// with ReservedPrefix (see policy.checkNewName). A reserved name that was
// not in before (taken before the statement ran) fails the entry, which
// rolls back.
func (w *writer) checkRenamed(si int, before map[string]bool) (*Error, error) {
	after, err := w.reservedNames()
	if err != nil {
		return nil, err
	}
	for name := range after {
		if before[name] {
			continue
		}
		msg := internalNameRejection("table", name)
		if w.pol.rules >= RulesV3 {
			msg = reservedNameRejection("table", name)
		}
		return &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: msg, Statement: si, Offset: -1}, nil
	}
	return nil, nil
}

// reservedNames returns the names in sqlite_schema that a rename may not
// give (checkRenamed): those beginning with ReservedPrefix from RulesV3 on,
// internal tables' names under every version (the internal tables
// themselves included: they are in before and after alike). A non-nil
// map, empty if none.
func (w *writer) reservedNames() (map[string]bool, error) {
	rules := w.pol.rules
	w.pol.reset(modeInternal)
	defer w.pol.reset(modeWrite)
	names := map[string]bool{}
	err := w.c.each(`SELECT name FROM sqlite_schema WHERE name LIKE '\_resqlite\_%' ESCAPE '\'`,
		func(row []Value) {
			if name := row[0].Text; rules >= RulesV3 || sqlval.IsInternalTable(name) {
				names[name] = true
			}
		})
	if err != nil {
		return nil, &envError{fmt.Errorf("list reserved names: %w", err)}
	}
	return names, nil
}
