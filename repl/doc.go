// Package repl is ReSqlite's sqlite3-style front end: it splits input into
// statements with sqlite3_complete semantics, runs dot-commands, collects
// BEGIN … COMMIT blocks into one entry, sends work to the cluster through
// the Client interface, and prints results in the sqlite3 CLI 3.40 output
// modes (list, csv, line, json) or as tables (table, box, column, markdown).
//
// The package owns the user-visible behaviour of the prompt and of batch
// runs: output bytes, error messages, line numbers and exit status. It does
// not know how statements reach the cluster; that is the Client's job.
package repl
