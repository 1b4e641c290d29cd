package repl

import "github.com/resqlite/resqlite/statemachine/sqlval"

// Precisions the sqlite3 CLI prints REALs with (see sqlval.FormatReal).
const (
	textRealPrecision = sqlval.TextRealPrecision // list, csv, line, the table modes
	jsonRealPrecision = sqlval.JSONRealPrecision // json mode
)

// formatReal prints v as the sqlite3 CLI 3.40 does at precision; the
// state machine's .dump shares the algorithm.
func formatReal(v float64, precision int) string { return sqlval.FormatReal(v, precision) }
