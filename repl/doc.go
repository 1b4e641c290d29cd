// Package repl is ReSqlite's sqlite3-style front end: it splits input into
// statements with sqlite3_complete semantics, runs dot-commands, collects
// BEGIN … COMMIT blocks into one entry, sends work to the cluster through
// the Client interface, and prints results in the sqlite3 CLI 3.40 output
// modes: list, csv, line, json, quote, and the tables (table, box, column,
// markdown).
//
// The package owns the user-visible behaviour of the prompt and of batch
// runs: output bytes, error messages, line numbers and exit status. It does
// not know how statements reach the cluster; that is the Client's job.
//
// Input is read as the CLI's local_getline reads it (any bytes, a NUL
// cutting its fgets chunk) and grouped into lines exactly as the CLI's
// process_input does; as its shell_exec, the first failing statement of a
// group ends the group (a write after it is not sent). Text prints as the
// bytes SQLite holds, valid UTF-8 or not, and the output of every mode,
// REAL formatting and the table modes' wrapping included, is byte for
// byte the CLI's, as are the exit codes of .exit N; tests compare them
// with the sqlite3 3.40 CLI. Where ReSqlite
// deliberately differs:
//
//   - A BEGIN … COMMIT block is one all-or-nothing entry: if a statement in
//     it fails, none applies and the error names that statement (the CLI
//     keeps the others). Its SELECT rows print when it commits. A SAVEPOINT
//     outside a block opens one, as SQLite makes it a transaction, and
//     RELEASE of that savepoint (or COMMIT) sends it; savepoints inside a
//     block nest as in SQLite (a RELEASE finds the newest of its name).
//   - The default mode is table, wrapping at 60 characters (the CLI starts
//     in list mode). At the prompt the table modes follow an INSERT,
//     UPDATE or DELETE with "N rows affected"; a batch prints nothing for
//     a write unless .changes is on, as the CLI.
//   - .quit N exits with N as .exit N does (the CLI 3.40 ignores N there).
//   - .changes counts the rows of INSERT, UPDATE and DELETE statements;
//     its total does not include rows changed by triggers.
//   - .import inserts as the CLI does, but in pipelined all-or-nothing
//     writes of 1,000 rows; the rows of a write in which a row failed are
//     sent again one by one after the writes already sent behind it, so a
//     row that conflicts with one of a later write may be the one kept
//     where the CLI keeps the other. It is refused inside a BEGIN block.
//   - .schema does not annotate views with their columns; the modes tcl,
//     count and off do not exist. EXPLAIN is laid out and EXPLAIN QUERY
//     PLAN drawn as the CLI does, but from the node's SQLite (3.54).
//   - .parameter keeps its bindings in the shell, not in
//     temp.sqlite_parameters; a value is evaluated by the node as
//     "SELECT (VALUE)", and taken as text when that fails to prepare.
//   - .eqp asks the node for each statement's plan (EXPLAIN QUERY PLAN, and
//     EXPLAIN with full) as a read in the session's order; inside a BEGIN
//     block no plan is shown (the statements are sent at COMMIT), and
//     trigger shows what on shows.
//   - .stats shows the session's statement and row counts; the CLI's
//     memory, page cache and VM counters are the node's and not shown.
//   - .databases and .show name the node's database file.
package repl
