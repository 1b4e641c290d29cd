package statemachine

import (
	"context"
	"strings"

	sqlite3 "modernc.org/sqlite/lib"
)

// Check is what Precheck learned about an SQL text.
type Check struct {
	// ReadOnly is true when every statement of the text is read-only, as
	// SQLite decides (sqlite3_stmt_readonly): the text can be served by
	// Query instead of going through the log.
	ReadOnly bool
	// Deferred is true when a statement could not be prepared against the
	// current schema (for example its table is created by an entry still in
	// flight): nothing is rejected for that reason, and apply decides.
	Deferred bool
	// Statements is the number of statements that were prepared.
	Statements int
	// Functions are the functions the prepared statements call (fired
	// triggers and used defaults included), lowercase, in order.
	Functions []string
}

// Precheck judges the statements of sql as a write, against the local
// schema, without running them, so that the client service can reject a
// write early and route reads. It returns an *Error of kind ErrorRejected
// when a statement breaks the write rules (a non-deterministic function,
// ATTACH, a TEMP object, a connection PRAGMA, BEGIN/COMMIT, VACUUM…). The
// authoritative check is the one at apply; Precheck may pass what apply
// rejects (date/time arguments are only known at run time, and the schema
// may change meanwhile). A rule broken inside a trigger or view is not
// reported here, since an entry in flight may still drop that trigger.
func (sm *StateMachine) Precheck(ctx context.Context, sql string) (Check, error) {
	r, err := sm.acquireReader(ctx)
	if err != nil {
		return Check{}, err
	}
	defer sm.releaseReader(r)
	r.pol.rules = sm.RulesVersion()
	return r.precheck(sql)
}

func (r *reader) precheck(sql string) (Check, error) {
	if err := r.beginSnapshot(); err != nil {
		return Check{}, err
	}
	defer r.endSnapshot()
	chk := Check{ReadOnly: true}
	defer r.pol.reset(modeRead)
	rest := sql
	for strings.TrimSpace(rest) != "" {
		if r.pol.rules >= RulesV2 && firstKeyword(rest) == "ANALYZE" {
			// ANALYZE sqlite_schema shows the authorizer nothing on a
			// read-only connection; apply refuses it.
			return chk, &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: analyzeRejection, Statement: chk.Statements, Offset: -1}
		}
		r.pol.reset(modeWrite)
		stmt, n, err := r.c.prepare(rest)
		chk.Functions = append(chk.Functions, r.pol.functions...)
		if v := r.pol.violation; v != "" && !r.pol.violationInSchema {
			r.c.finalize(stmt)
			return chk, &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: v, Statement: chk.Statements, Offset: -1}
		}
		if v := r.pol.verdict(); err == nil && v != "" {
			r.c.finalize(stmt)
			return chk, &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: v, Statement: chk.Statements, Offset: -1}
		}
		if v := r.pragmaTableViolation(); err == nil && v != "" {
			r.c.finalize(stmt)
			return chk, &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: v, Statement: chk.Statements, Offset: -1}
		}
		if err != nil || (stmt == 0 && n == 0) {
			// No such table yet, or a syntax error: apply gives the verdict.
			chk.Deferred = true
			chk.ReadOnly = false
			return chk, nil
		}
		if stmt == 0 {
			break
		}
		chk.Statements++
		if !r.c.readOnly(stmt) {
			chk.ReadOnly = false
			if isUnauthorizedWrite(r.c, stmt, r.pol, rest[:n]) {
				r.c.finalize(stmt)
				return chk, &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: unauthorizedWriteMessage(rest[:n]), Statement: chk.Statements - 1, Offset: -1}
			}
		}
		r.c.finalize(stmt)
		rest = rest[n:]
	}
	if chk.Statements == 0 {
		chk.ReadOnly = false
	}
	return chk, nil
}

// pragmaTableViolation returns why a PRAGMA table the statement just
// prepared reads (pragma_schema_version…) is not allowed in a write, as
// apply will find when the PRAGMA runs, or "". A table of the schema with
// such a name is the user's own and is let through.
func (r *reader) pragmaTableViolation() string {
	if r.pol.rules < RulesV2 {
		return ""
	}
	tables := append([]string(nil), r.pol.pragmaTables...)
	for _, t := range tables {
		name := strings.ToLower(t[len("pragma_"):])
		why := checkPragmaV2(name, "", true)
		if why == "" {
			continue
		}
		saved := *r.pol
		r.pol.mode = modeInternal
		own := false
		err := r.c.each("SELECT 1 FROM sqlite_schema WHERE name = "+quoteString(t)+" COLLATE NOCASE", func([]Value) { own = true })
		*r.pol = saved
		if err == nil && !own {
			return why
		}
	}
	return ""
}
