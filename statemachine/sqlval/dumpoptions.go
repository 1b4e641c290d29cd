package sqlval

// DumpOptions choose what a dump writes, as the sqlite3 CLI's .dump
// arguments do.
type DumpOptions struct {
	// Tables are LIKE patterns (a backslash escapes): only the objects
	// whose name matches one are dumped, and the shadow tables of a
	// matching virtual table; none: the whole database.
	Tables []string
	// DataOnly (--data-only) writes only the INSERTs: no schema, no
	// PRAGMA, BEGIN or COMMIT.
	DataOnly bool
	// NoSys (--nosys) leaves out sqlite_sequence.
	NoSys bool
	// Newlines (--newlines) writes newlines and carriage returns in text
	// as they are, not through replace(…, char(10)).
	Newlines bool
	// PreserveRowids (--preserve-rowids) writes the rowid of each row of
	// a rowid table that has no INTEGER PRIMARY KEY alias for it.
	PreserveRowids bool
}
