package sqlval

// ReservedPrefix begins the names ReSqlite gives its own objects in the
// database: its internal tables and the savepoint each entry runs in. A
// write may not open a savepoint whose name begins with it (compared as
// SQLite compares names, ignoring ASCII case), and from rules version 3 on
// it may not create a table, index, view or trigger whose name begins
// with it.
const ReservedPrefix = "_resqlite_"

// The internal tables: ReSqlite's own tables in the replicated database.
// User statements may read them (a write only MetaTable, and only under
// rules versions 1 and 2) but never change them, nor index them or put a
// trigger on them; schema listings and dumps leave them out
// (HideInternalObjects).
const (
	// MetaTable holds the applied index, the latest configuration, the
	// rules version and the latest leader time applied.
	MetaTable = ReservedPrefix + "state"
	// SessionsTable holds one row per live client session (Raft thesis
	// §6.3): its id, the last sequence number applied, the acknowledged
	// watermark and the leader time it was last active at.
	SessionsTable = ReservedPrefix + "sessions"
	// SessionResultsTable holds the recorded result of every applied
	// session write above its session's acknowledged watermark.
	SessionResultsTable = ReservedPrefix + "session_results"
	// RestoreTable stages, chunk by chunk, the database file a restore
	// swaps in (rules version 4).
	RestoreTable = ReservedPrefix + "restore"
)

// InternalTables returns the names of the internal tables (a new slice).
func InternalTables() []string {
	return []string{MetaTable, SessionsTable, SessionResultsTable, RestoreTable}
}

// IsInternalTable reports whether name is one of the internal tables,
// ignoring ASCII case as SQLite does for table names.
func IsInternalTable(name string) bool {
	for _, t := range InternalTables() {
		if equalFoldASCII(name, t) {
			return true
		}
	}
	return false
}

// HideInternalObjects is an SQL condition on sqlite_schema (its tbl_name
// column) that leaves out ReSqlite's internal tables and anything on them:
// listings of the schema (the REPL's .tables, .schema and .indexes, and
// the dump) add it, so they hide the internal tables as the sqlite3 CLI
// hides SQLite's internal objects. It matches the exact names only: a
// user's table whose name merely begins with ReservedPrefix (possible
// before rules version 3) stays visible.
const HideInternalObjects = "tbl_name COLLATE NOCASE NOT IN ('" + MetaTable + "', '" + SessionsTable + "', '" + SessionResultsTable + "', '" + RestoreTable + "')"

// HasReservedPrefix reports whether name begins with ReservedPrefix,
// ignoring ASCII case as SQLite does for savepoint and table names.
func HasReservedPrefix(name string) bool {
	return len(name) >= len(ReservedPrefix) && equalFoldASCII(name[:len(ReservedPrefix)], ReservedPrefix)
}

// equalFoldASCII compares a and b ignoring ASCII case only, as SQLite
// compares identifiers.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// LowerASCII lower-cases the ASCII letters of s and keeps every other
// byte, as SQLite folds identifiers (sqlite3StrICmp, NOCASE).
func LowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
