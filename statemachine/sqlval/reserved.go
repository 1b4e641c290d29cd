package sqlval

// ReservedPrefix begins the names ReSqlite gives its own objects in the
// database: its table and the savepoint each entry runs in. A write may
// not open a savepoint whose name begins with it (compared as SQLite
// compares names, ignoring ASCII case).
const ReservedPrefix = "_resqlite_"

// MetaTable holds the applied index and the latest configuration. User
// statements may read it but never change it, nor index it or put a
// trigger on it.
const MetaTable = ReservedPrefix + "state"

// HideInternalObjects is an SQL condition on sqlite_schema (its tbl_name
// column) that leaves out ReSqlite's own objects: listings of the schema
// (the REPL's .tables, .schema and .indexes, and the dump) add it, so
// they hide MetaTable as the sqlite3 CLI hides SQLite's internal objects.
// It matches the exact name only: a user's table whose name merely begins
// with ReservedPrefix stays visible.
const HideInternalObjects = "tbl_name <> '" + MetaTable + "' COLLATE NOCASE"

// HasReservedPrefix reports whether name begins with ReservedPrefix,
// ignoring ASCII case as SQLite does for savepoint and table names.
func HasReservedPrefix(name string) bool {
	if len(name) < len(ReservedPrefix) {
		return false
	}
	for i := 0; i < len(ReservedPrefix); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != ReservedPrefix[i] {
			return false
		}
	}
	return true
}
