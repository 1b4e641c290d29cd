// Package statemachine owns ReSqlite's replicated state: an SQLite database
// (modernc.org/sqlite, no cgo) that committed Raft entries are applied to,
// deterministically, on every node.
//
// It provides:
//   - the entry payload codec (EncodeCommand / DecodeCommand): one or more
//     SQL statements with bound parameters that apply atomically;
//   - StateMachine, which implements raft.StateMachine: batched apply on one
//     write connection with a SAVEPOINT per entry, per-statement results
//     (Result), the applied index and the term of that entry stored in the
//     same transaction as the data (reported by AppliedState, the
//     raft.AppliedStateReporter the node uses to repair its log after a
//     crash during a snapshot install), and snapshots taken and restored
//     through SQLite's backup API;
//   - Sync (raft.Syncer), which makes everything applied durable against a
//     power loss even while read transactions are open: it checkpoints the
//     WAL and fsyncs the WAL file itself (sync.go explains why that is
//     enough);
//   - the determinism policy (policy.go, datetime.go): SQLite's authorizer
//     names every function and action a write would perform (fired
//     triggers and used column defaults included), and non-deterministic
//     ones are rejected with an error that names them; the date/time
//     functions are overridden on the apply connection to reject 'now', a
//     missing time value and the 'localtime'/'utc' modifiers;
//   - reads on separate read-only connections (Query), a wait for an applied
//     index (WaitApplied), the pre-check the client service runs before
//     proposing (Precheck), and a content digest for tests and status
//     (Digest).
//
// # What a write may not do
//
// Rejected at apply on every node, as the entry's error result (kind
// ErrorRejected, code SQLITE_AUTH), and early by Precheck where the
// statement's own text shows it:
//   - call random, randomblob, current_timestamp/date/time, changes,
//     total_changes, last_insert_rowid, sqlite_version, sqlite_source_id,
//     sqlite_compileoption_*, sqlite_offset, load_extension, fts3_tokenizer;
//     also through a trigger it fires, a view it reads, a column DEFAULT it
//     uses, a CTE or a subquery (a CREATE TABLE may declare such a DEFAULT;
//     the inserts that use it are rejected);
//   - call date, time, datetime, julianday, unixepoch, strftime or timediff
//     with 'now', without a time value, or with 'localtime'/'utc' (a
//     runtime error naming the function; explicit values are fine);
//   - ATTACH, DETACH, VACUUM (and VACUUM INTO), TEMP tables, views, indexes
//     and triggers, BEGIN/COMMIT/END/ROLLBACK (a block is one Command), a
//     savepoint whose name begins with ReservedPrefix, PRAGMAs that set anything but user_version and
//     application_id, node-dependent PRAGMAs (database_list, page_count, …),
//     dbstat and sqlite_dbpage, and any change to the _resqlite_state table;
//   - insert into a rowid table whose largest rowid is already
//     9223372036854775807 (SQLite would pick a random rowid): checked before
//     each statement for every table it may insert into, triggers included;
//   - exceed Options.MaxEntrySteps SQLite VM instructions in one entry (an
//     endless recursive CTE fails instead of hanging every node).
//
// Reads (Query) may call any function.
//
// # Savepoints
//
// A Command may use SAVEPOINT name, RELEASE [SAVEPOINT] name and ROLLBACK
// [TRANSACTION] TO [SAVEPOINT] name as SQLite runs them inside a
// transaction: they nest inside the entry's own savepoint, so the entry
// stays all-or-nothing. A RELEASE or ROLLBACK TO reaches only savepoints
// the same entry opened; any other name fails the entry with SQLite's "no
// such savepoint: name". A savepoint still open when the entry ends is
// released with it, as SQLite's COMMIT releases it.
//
// # Limits of the guarantee
//
// Nodes must run the same SQLite build (modernc.org/sqlite version) and
// the same MaxEntrySteps. REAL arithmetic is assumed to round the same on
// every node's CPU architecture. Precheck judges against the local schema:
// it lets through what it cannot decide (a table not created yet, a rule
// broken inside a trigger) and may, rarely, refuse a statement whose
// offending DEFAULT an entry still in flight would have removed.
//
// The fixed settings of the apply connection are listed in settings.go.
//
// # Database format
//
// The meta table (MetaTable) holds the applied index, the latest
// configuration and, since data format 2 (rpc/cluster's DataFormat), the
// term of the applied entry (column applied_term). Open adds that column
// to a database that lacks it, term 0 ("unknown") until the next apply;
// Restore does the same to a snapshot from such a database.
package statemachine
