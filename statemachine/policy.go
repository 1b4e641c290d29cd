package statemachine

import (
	"fmt"
	"strings"

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

// metaTable holds the applied index and the latest configuration. User
// statements may read it but never change it.
const metaTable = "_resqlite_state"

// nonDeterministic are the built-in functions whose result depends on
// something other than their arguments and the database content. The
// date/time functions are absent: they are overridden (see datetime.go).
var nonDeterministic = map[string]string{
	"random":                    "returns a random number",
	"randomblob":                "returns random bytes",
	"current_timestamp":         "reads the clock",
	"current_date":              "reads the clock",
	"current_time":              "reads the clock",
	"changes":                   "depends on the connection's history",
	"total_changes":             "depends on the connection's history",
	"last_insert_rowid":         "depends on the connection's history",
	"sqlite_version":            "depends on the node's SQLite build",
	"sqlite_source_id":          "depends on the node's SQLite build",
	"sqlite_compileoption_used": "depends on the node's SQLite build",
	"sqlite_compileoption_get":  "depends on the node's SQLite build",
	"sqlite_offset":             "depends on the file layout",
	"load_extension":            "loads code into the node",
	"fts3_tokenizer":            "registers code in the node",
}

// dataPragmas change the database content deterministically; writes may
// set them.
var dataPragmas = map[string]bool{"user_version": true, "application_id": true}

// introspectionPragmas only describe the schema or check the content;
// writes may run them with any argument.
var introspectionPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "table_list": true,
	"index_info": true, "index_xinfo": true, "index_list": true,
	"foreign_key_list": true, "foreign_key_check": true,
	"integrity_check": true, "quick_check": true,
	"collation_list": true, "function_list": true, "module_list": true,
	"pragma_list": true,
}

// policy is the authorizer's state for the statement being compiled on one
// connection. Its verdict is read after sqlite3_prepare returns.
type policy struct {
	mode policyMode
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
		if why, ok := nonDeterministic[name]; ok && write && !p.definingView {
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
		return fmt.Sprintf("SAVEPOINT/RELEASE/ROLLBACK TO (%s %s) is not allowed: a transaction block is sent as one command", strings.ToUpper(arg1), arg2)
	case sqlite.AuthPragma:
		return checkPragma(strings.ToLower(arg1), arg2, write)
	case sqlite.AuthInsert:
		if write {
			p.inserts = appendUnique(p.inserts, arg1)
		}
		if r := checkPhysical(arg1, write); r != "" {
			return r
		}
		return checkMeta(arg1, write)
	case sqlite.AuthUpdate, sqlite.AuthDelete, sqlite.AuthDropTable, sqlite.AuthAlterTable, sqlite.AuthCreateIndex:
		if r := checkPhysical(arg1, write); r != "" {
			return r
		}
		return checkMeta(arg1, write)
	case sqlite.AuthRead:
		return checkPhysical(arg1, write)
	case sqlite.AuthCreateVTable, sqlite.AuthDropVTable:
		return checkPhysical(arg2, write)
	case sqlite.AuthCreateTrigger, sqlite.AuthDropTrigger, sqlite.AuthDropIndex:
		return checkMeta(arg2, write)
	}
	return ""
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

// tempRejection is the reason given for any change to the TEMP schema.
const tempRejection = "TEMP tables, indexes, triggers and views are not allowed: they would not be part of the replicated database"

// physicalTables are the virtual tables that expose the database file's
// pages: their content depends on the file layout, and writing to
// sqlite_dbpage bypasses SQL altogether.
var physicalTables = map[string]bool{"dbstat": true, "sqlite_dbpage": true}

// checkPhysical refuses writes that read or change the file's pages.
func checkPhysical(name string, write bool) string {
	if write && physicalTables[strings.ToLower(name)] {
		return fmt.Sprintf("%s is not allowed in a write: it exposes the file's pages, which are not replicated content", strings.ToLower(name))
	}
	return ""
}

// checkMeta refuses writes that touch ReSqlite's own table.
func checkMeta(table string, write bool) string {
	if write && strings.EqualFold(table, metaTable) {
		return fmt.Sprintf("table %s is reserved for ReSqlite", metaTable)
	}
	return ""
}

// checkPragma returns why PRAGMA name [= value] is not allowed, or "".
// Writes may set user_version and application_id, run the introspection
// pragmas, and read (never set) any setting; reads may not set anything.
func checkPragma(name, value string, write bool) string {
	switch {
	case dataPragmas[name], introspectionPragmas[name]:
		return ""
	case nodeDependentPragmas[name]:
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

// nodeDependentPragmas return or do something that differs between nodes
// (file names, build options, connection history, file layout).
var nodeDependentPragmas = map[string]bool{
	"database_list": true, "compile_options": true, "data_version": true,
	"page_count": true, "freelist_count": true, "wal_checkpoint": true,
	"optimize": true, "incremental_vacuum": true, "shrink_memory": true,
	"stats": true, "temp_store_directory": true, "data_store_directory": true,
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
