package statemachine

import (
	"fmt"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
	"modernc.org/sqlite"
)

// policyMode tells the authorizer how to judge the statement being compiled.
type policyMode uint8

const (
	// modeInternal is for ReSqlite's own statements: everything is allowed.
	modeInternal policyMode = iota
	// modeWrite is for statements of a replicated Command: the determinism
	// and write rules apply.
	modeWrite
	// modeRead is for Query: any function, but nothing that changes the
	// connection or reaches outside the database.
	modeRead
)

// nonDeterministic returns why the built-in function name (lowercase) has
// a result that depends on something other than its arguments and the
// database content, or "" if it does not. The date/time functions are
// absent: they are overridden (see datetime.go).
func nonDeterministic(name string) string {
	switch name {
	case "random":
		return "returns a random number"
	case "randomblob":
		return "returns random bytes"
	case "current_timestamp", "current_date", "current_time":
		return "reads the clock"
	case "changes", "total_changes", "last_insert_rowid":
		return "depends on the connection's history"
	case "sqlite_version", "sqlite_source_id", "sqlite_compileoption_used", "sqlite_compileoption_get":
		return "depends on the node's SQLite build"
	case "sqlite_offset":
		return "depends on the file layout"
	case "load_extension":
		return "loads code into the node"
	case "fts3_tokenizer":
		return "registers code in the node"
	}
	return ""
}

// isDataPragma reports whether the PRAGMA changes the database content
// deterministically, so that writes may set it.
func isDataPragma(name string) bool {
	return name == "user_version" || name == "application_id"
}

// isIntrospectionPragma reports whether the PRAGMA only describes the
// schema or checks the content, so that writes may run it with any
// argument.
func isIntrospectionPragma(name string) bool {
	switch name {
	case "table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list",
		"foreign_key_list", "foreign_key_check", "integrity_check", "quick_check",
		"collation_list", "function_list", "module_list", "pragma_list":
		return true
	}
	return false
}

// policy is the authorizer's state for the statement being compiled on one
// connection. Its verdict is read after sqlite3_prepare returns.
type policy struct {
	mode policyMode
	// rules is the determinism rules version writes are judged under
	// (see rules.go); reset leaves it alone.
	rules RulesVersion
	// violation is the first rule the statement broke, or "".
	violation string
	// violationInSchema tells that the violation came from a trigger or a
	// view the statement uses, not from its own text.
	violationInSchema bool
	// inserts are the tables the statement may insert into, fired
	// triggers included.
	inserts []string
	// functions are the functions the statement calls, in order, for
	// Precheck's report.
	functions []string
	// writes counts the authorized actions that change the database.
	writes int
	// definingView is set once the statement is a CREATE VIEW: the
	// functions of a view's body are judged where the view is used.
	definingView bool
	// definingTable is set once the statement is a CREATE TABLE: functions
	// of column DEFAULTs are judged where an insert uses them, but those of
	// CREATE TABLE … AS SELECT run now.
	definingTable bool
	// tableViolation is a function violation seen while definingTable; it
	// counts only if the statement also runs a SELECT (see verdict).
	tableViolation string
	// selects counts the SELECT actions.
	selects int
	// pragmaTables are the tables named like SQLite's eponymous PRAGMA
	// tables (pragma_page_count…) the statement reads: the PRAGMA itself
	// is judged only when the statement runs, so Precheck judges these.
	pragmaTables []string
	// unknownSavepoint is the name a RELEASE or ROLLBACK TO names when it
	// is reserved: no statement may open such a savepoint, so the name is
	// the entry's own (or none) and the statement must not run.
	unknownSavepoint string
	// altered is set once the statement is an ALTER TABLE: a RENAME TO
	// shows the authorizer only the old name, so the new one is checked
	// after the statement ran (writer.checkRenamed).
	altered bool
	// tables are the tables, views and virtual tables the statement names
	// (reads, writes, drops, ALTER, indexes and triggers on them), fired
	// triggers and used views included.
	tables []string
	// createdVtab is the virtual table a CREATE VIRTUAL TABLE creates.
	createdVtab string
	// stepping is set while a write's statement runs: a statement
	// compiled then is a virtual table module's own (a user's statement
	// was judged when it was compiled first).
	stepping bool
	// load is set while a statement is compiled with SQLite's defensive
	// mode lifted to load shadow tables (shadow.go); reset leaves it.
	load *shadowLoad
}

// verdict returns the rule the prepared statement breaks, or "". It is
// called once sqlite3_prepare succeeded.
func (p *policy) verdict() string {
	if p.violation != "" {
		return p.violation
	}
	if p.tableViolation != "" && p.selects > 0 {
		return p.tableViolation
	}
	return ""
}

// wrote reports whether the statement performs an action that changes the
// database, as the authorizer saw it.
func (p *policy) wrote() bool { return p.writes > 0 }

// reset prepares the policy for compiling a new statement in mode m.
func (p *policy) reset(m policyMode) {
	p.mode = m
	p.violation = ""
	p.violationInSchema = false
	p.inserts = p.inserts[:0]
	p.functions = p.functions[:0]
	p.writes = 0
	p.definingView = false
	p.definingTable = false
	p.tableViolation = ""
	p.selects = 0
	p.unknownSavepoint = ""
	p.altered = false
	p.pragmaTables = p.pragmaTables[:0]
	p.tables = p.tables[:0]
	p.createdVtab = ""
	p.stepping = false
}

// authorize is the connection's sqlite.AuthorizerFn.
func (p *policy) authorize(action sqlite.AuthorizerActionCode, arg1, arg2, dbName, trigger string) sqlite.AuthorizerReturnCode {
	if p.mode == modeInternal {
		return sqlite.AuthorizerOK
	}
	switch action {
	case sqlite.AuthCreateView:
		p.definingView = true
	case sqlite.AuthCreateTable:
		p.definingTable = true
	case sqlite.AuthSelect:
		p.selects++
	}
	write := changesDatabase(action, arg2)
	if write {
		p.writes++
	}
	p.noteTable(action, arg1, arg2)
	if p.load != nil {
		p.load.check(action, arg1)
	}
	reason := p.check(action, arg1, arg2)
	if reason == "" && write && strings.EqualFold(dbName, "temp") {
		reason = tempRejection
	}
	if reason == "" {
		return sqlite.AuthorizerOK
	}
	if trigger != "" {
		reason += fmt.Sprintf(" (in trigger or view %q)", trigger)
	}
	if p.violation == "" {
		p.violation = reason
		p.violationInSchema = trigger != ""
	}
	return sqlite.AuthorizerDeny
}

// check returns why action is not allowed in the current mode, or "".
func (p *policy) check(action sqlite.AuthorizerActionCode, arg1, arg2 string) string {
	write := p.mode == modeWrite
	switch action {
	case sqlite.AuthFunction:
		name := strings.ToLower(arg2)
		p.functions = append(p.functions, name)
		if name == "load_extension" {
			return "load_extension() is not allowed"
		}
		if p.mode == modeRead {
			return connectionHistoryRejection(name)
		}
		if why := nonDeterministic(name); why != "" && write && !p.definingView {
			reason := fmt.Sprintf("%s() is not allowed in a write: it %s, so nodes would diverge", name, why)
			if !p.definingTable {
				return reason
			}
			if p.tableViolation == "" {
				p.tableViolation = reason
			}
		}
	case sqlite.AuthAttach:
		return "ATTACH is not allowed: only the replicated database is reachable"
	case sqlite.AuthDetach:
		return "DETACH is not allowed: only the replicated database is reachable"
	case sqlite.AuthCreateTempTable, sqlite.AuthCreateTempIndex, sqlite.AuthCreateTempTrigger, sqlite.AuthCreateTempView,
		sqlite.AuthDropTempTable, sqlite.AuthDropTempIndex, sqlite.AuthDropTempTrigger, sqlite.AuthDropTempView:
		return tempRejection
	case sqlite.AuthTransaction:
		if write {
			return fmt.Sprintf("%s is not allowed as a statement: a transaction block is sent as one command", strings.ToUpper(arg1))
		}
		return fmt.Sprintf("%s is not allowed in a read", strings.ToUpper(arg1))
	case sqlite.AuthSavepoint:
		if write && arg1 != "BEGIN" && sqlval.HasReservedPrefix(arg2) {
			p.unknownSavepoint = arg2
		}
		return checkSavepoint(arg1, arg2, write)
	case sqlite.AuthPragma:
		if write && p.stepping && p.rules >= RulesV6 && isModulePragma(strings.ToLower(arg1), arg2) {
			return ""
		}
		if !write || p.rules >= RulesV2 {
			return checkPragmaV2(strings.ToLower(arg1), arg2, write)
		}
		return checkPragmaV1(strings.ToLower(arg1), arg2, write)
	case sqlite.AuthAnalyze:
		if write && p.rules >= RulesV2 {
			return analyzeRejection
		}
	case sqlite.AuthInsert:
		if write {
			p.inserts = appendUnique(p.inserts, arg1)
		}
		return p.checkTable(arg1, write)
	case sqlite.AuthUpdate, sqlite.AuthDelete, sqlite.AuthDropTable:
		return p.checkTable(arg1, write)
	case sqlite.AuthAlterTable:
		// The table is the second argument (the first is the database).
		p.altered = true
		if r := checkPhysical(arg2, write); r != "" {
			return r
		}
		return checkInternal(arg2, write)
	case sqlite.AuthCreateIndex:
		// The index, then its table.
		if r := checkPhysical(arg2, write); r != "" {
			return r
		}
		if r := checkInternal(arg2, write); r != "" {
			return r
		}
		return p.checkNewName("index", arg1, write)
	case sqlite.AuthRead:
		if len(arg1) > len("pragma_") && strings.EqualFold(arg1[:len("pragma_")], "pragma_") {
			p.pragmaTables = appendUnique(p.pragmaTables, arg1)
		}
		if r := checkPhysical(arg1, write); r != "" {
			return r
		}
		if r := p.checkInternalRead(arg1, write); r != "" {
			return r
		}
		return p.checkStat(arg1, write)
	case sqlite.AuthCreateTable:
		return p.checkNewName("table", arg1, write)
	case sqlite.AuthCreateView:
		return p.checkNewName("view", arg1, write)
	case sqlite.AuthCreateVTable:
		if r := checkPhysical(arg2, write); r != "" {
			return r
		}
		return p.checkNewName("table", arg1, write)
	case sqlite.AuthDropVTable:
		return checkPhysical(arg2, write)
	case sqlite.AuthCreateTrigger:
		if r := checkInternal(arg2, write); r != "" {
			return r
		}
		return p.checkNewName("trigger", arg1, write)
	case sqlite.AuthDropTrigger, sqlite.AuthDropIndex:
		return checkInternal(arg2, write)
	}
	return ""
}

// noteTable records the table the action names (policy.tables), or the
// virtual table it creates.
func (p *policy) noteTable(action sqlite.AuthorizerActionCode, arg1, arg2 string) {
	switch action {
	case sqlite.AuthRead, sqlite.AuthInsert, sqlite.AuthUpdate, sqlite.AuthDelete,
		sqlite.AuthDropTable, sqlite.AuthDropVTable:
		p.tables = append(p.tables, arg1)
	case sqlite.AuthAlterTable, sqlite.AuthCreateIndex, sqlite.AuthDropIndex,
		sqlite.AuthCreateTrigger, sqlite.AuthDropTrigger:
		p.tables = append(p.tables, arg2)
	case sqlite.AuthCreateVTable:
		p.createdVtab = arg1
	}
}

// checkNewName refuses a new table, index, view or trigger (kind) whose
// name is reserved: under every rules version the exact name of an
// internal table, in any letter case (internalNameRejection); from
// RulesV3 on any name beginning with ReservedPrefix, ReSqlite's now and
// for internal tables to come. The first keeps the names of the session
// tables free until the rules entry that switches to RulesV3 creates them
// (internal.go): were one taken, that entry would fail, and halt, every
// node.
//
// Why the first rule changes no entry of an old log that this binary can
// run:
//   - MetaTable has existed in every database from the start, so SQLite
//     itself has always refused a table or view of its name ("already
//     exists"), or with IF NOT EXISTS skipped it, after this check: the
//     check lets that case through, so such an entry replays as before
//     (an index of that name fails in SQLite before the check);
//   - the session tables appeared with RulesV3, and the build that
//     introduced them created them in every database at Open, so no node
//     of it could create a table, index or view under their names (with
//     IF NOT EXISTS it skipped one; refused here, in the V1/V2 databases
//     that build wrongly gave session tables);
//   - an older binary could: a table, index, view or trigger named like a
//     session table, or a trigger named like any internal table (a
//     trigger's name is not a table's). A database holding one fails Open
//     (ErrReservedName) until the object is dropped or renamed by hand on
//     every node (outside the log, so a replay from the log's start could
//     not match it anyway); only a log that made one and dropped it again
//     in a later entry replays differently here (the creating entry is
//     refused): the limit doc.go states for internal names. During a
//     rolling upgrade from such a binary, its nodes still let such an
//     entry through while this binary's refuse it; the old nodes then
//     refuse to start as this version (ErrReservedName) instead of the
//     switch to RulesV3 halting every node.
func (p *policy) checkNewName(kind, name string, write bool) string {
	switch {
	case !write:
		return ""
	case p.rules >= RulesV3 && sqlval.HasReservedPrefix(name):
		return reservedNameRejection(kind, name)
	case (kind == "table" || kind == "view") && strings.EqualFold(name, MetaTable):
		return "" // SQLite refuses or skips it: MetaTable exists (see above)
	case sqlval.IsInternalTable(name):
		return internalNameRejection(kind, name)
	}
	return ""
}

// reservedNameRejection is the reason a new object named name is refused.
func reservedNameRejection(kind, name string) string {
	return fmt.Sprintf("%s name %s is reserved for ReSqlite (names beginning with %s)", kind, name, ReservedPrefix)
}

// internalNameRejection is the reason a new object with an internal
// table's name is refused (under every rules version).
func internalNameRejection(kind, name string) string {
	return fmt.Sprintf("%s name %s is reserved for ReSqlite (the name of an internal table: %s)", kind, name, strings.Join(sqlval.InternalTables(), ", "))
}

// checkInternalRead refuses a write that reads an internal table: the
// session tables always (they do not exist in the databases of binaries
// older than RulesV3, so such a read could not give the same result on
// every node of a cluster being upgraded), MetaTable from RulesV3 on (its
// applied index depends on how entries are batched into commits; under
// RulesV1 and RulesV2 such reads replay as before).
func (p *policy) checkInternalRead(table string, write bool) string {
	if !write || !sqlval.IsInternalTable(table) {
		return ""
	}
	if p.rules >= RulesV3 || !strings.EqualFold(table, MetaTable) {
		return fmt.Sprintf("table %s is ReSqlite's: a write may not read it (a query may)", strings.ToLower(table))
	}
	return ""
}

// isModulePragma reports whether a virtual table module may run PRAGMA
// name (with value) while a write runs, from RulesV6 on: fts5 reads
// data_version to tell whether another connection changed its tables
// since it cached them. Its value differs between nodes, but on the apply
// connection, the only one that writes, it changes only when a restore
// replaces the file, so what fts5 does with it does not. Under older
// rules fts5 was refused it, but only on a node that had not cached the
// statement since it started: a node restarted failed the write that the
// others applied (an fts5 DELETE or query in a write).
func isModulePragma(name, value string) bool {
	return name == "data_version" && value == ""
}

// readsPragmaTable reports whether tables (policy.pragmaTables) hold
// name, in any letter case.
func readsPragmaTable(tables []string, name string) bool {
	for _, t := range tables {
		if strings.EqualFold(t, name) {
			return true
		}
	}
	return false
}

// changesDatabase reports whether action (with its second argument) changes
// the database.
func changesDatabase(action sqlite.AuthorizerActionCode, arg2 string) bool {
	switch action {
	case sqlite.AuthRead, sqlite.AuthSelect, sqlite.AuthFunction, sqlite.AuthRecursive,
		sqlite.AuthTransaction, sqlite.AuthSavepoint, sqlite.AuthAttach, sqlite.AuthDetach:
		return false
	case sqlite.AuthPragma:
		return arg2 != ""
	}
	return true
}

// analyzeRejection is the reason given for ANALYZE in a write (RulesV2).
const analyzeRejection = "ANALYZE is not allowed in a write: SQLite loads statistics only with the schema, so nodes restarted at different log positions would plan (and order rows) differently"

// tempRejection is the reason given for any change to the TEMP schema.
const tempRejection = "TEMP tables, indexes, triggers and views are not allowed: they would not be part of the replicated database"

// checkSavepoint returns why the savepoint statement (op is "BEGIN" for
// SAVEPOINT, "RELEASE" or "ROLLBACK" for ROLLBACK TO) is not allowed, or
// "". A write may use savepoints: they nest inside the entry's own
// savepoint, whose name is reserved, and a RELEASE or ROLLBACK TO of a
// reserved name fails as SQLite fails one of a name never opened (see
// policy.unknownSavepoint), so it finds only the savepoints the same
// entry opened. Reads may not.
func checkSavepoint(op, name string, write bool) string {
	if !write {
		return "SAVEPOINT, RELEASE and ROLLBACK TO are not allowed in a read"
	}
	if op == "BEGIN" && sqlval.HasReservedPrefix(name) {
		return fmt.Sprintf("savepoint name %s is reserved for ReSqlite (names beginning with %s)", name, ReservedPrefix)
	}
	return ""
}

// checkPhysical refuses writes that use the virtual tables exposing the
// database file's pages (dbstat, sqlite_dbpage): their content depends on
// the file layout, and writing to sqlite_dbpage bypasses SQL altogether.
func checkPhysical(name string, write bool) string {
	if n := strings.ToLower(name); write && (n == "dbstat" || n == "sqlite_dbpage") {
		return fmt.Sprintf("%s is not allowed in a write: it exposes the file's pages, which are not replicated content", strings.ToLower(name))
	}
	return ""
}

// checkTable returns why a write may not change (or drop) table, or "".
func (p *policy) checkTable(table string, write bool) string {
	if r := checkPhysical(table, write); r != "" {
		return r
	}
	if r := p.checkStat(table, write); r != "" {
		return r
	}
	return checkInternal(table, write)
}

// checkStat refuses, from RulesV2 on, writes that read or change the
// planner's statistics (sqlite_stat1, sqlite_stat4): SQLite loads them only
// with the schema, so a change reaches each node's planner whenever that
// node happens to reload its schema (a restart), and plans, hence the
// order rows are stored in and the work an entry takes, would differ.
// Their content also depends on the SQLite build (STAT4 sampling).
func (p *policy) checkStat(table string, write bool) string {
	if write && p.rules >= RulesV2 && isStatTable(table) {
		return fmt.Sprintf("%s is not allowed in a write: the planner's statistics are loaded only with the schema, so nodes would plan differently", strings.ToLower(table))
	}
	return ""
}

// isStatTable reports whether name is one of SQLite's statistics tables.
func isStatTable(name string) bool {
	return len(name) >= len("sqlite_stat") && strings.EqualFold(name[:len("sqlite_stat")], "sqlite_stat")
}

// checkInternal refuses writes that touch ReSqlite's internal tables
// (sqlval.InternalTables), under every rules version.
func checkInternal(table string, write bool) string {
	if write && sqlval.IsInternalTable(table) {
		return fmt.Sprintf("table %s is reserved for ReSqlite", strings.ToLower(table))
	}
	return ""
}

// checkPragmaV1 returns why PRAGMA name [= value] is not allowed in a
// write under RulesV1, or "" (reads use checkPragmaV2). Writes may set user_version and application_id, run the introspection
// pragmas, and read (never set) any setting; reads may not set anything.
func checkPragmaV1(name, value string, write bool) string {
	switch {
	case isDataPragma(name), isIntrospectionPragma(name):
		return ""
	case isNodeDependentPragma(name):
		if write {
			return fmt.Sprintf("PRAGMA %s is not allowed in a write: its result depends on the node", name)
		}
		return ""
	case value == "":
		return ""
	case write:
		return fmt.Sprintf("PRAGMA %s = %s is not allowed: the apply connection's settings are fixed", name, value)
	}
	return fmt.Sprintf("PRAGMA %s = %s is not allowed in a read", name, value)
}

// isNodeDependentPragma reports whether the PRAGMA returns or does
// something that differs between nodes (file names, build options,
// connection history, file layout).
func isNodeDependentPragma(name string) bool {
	switch name {
	case "database_list", "compile_options", "data_version", "page_count", "freelist_count",
		"wal_checkpoint", "optimize", "incremental_vacuum", "shrink_memory", "stats",
		"temp_store_directory", "data_store_directory":
		return true
	}
	return false
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
