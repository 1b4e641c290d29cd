// Package statemachine owns ReSqlite's replicated state: an SQLite database
// (modernc.org/sqlite, no cgo) that committed Raft entries are applied to,
// deterministically, on every node.
//
// It provides:
//   - the entry payload codec (EncodeCommand / DecodeCommand): one or more
//     SQL statements with bound parameters that apply atomically, rules
//     entries, and client session registrations and writes;
//   - client sessions (session.go, Raft thesis §6.3): each session write
//     is applied once, in its session's sequence order, and a repeat gets
//     the recorded result; sessions expire by leader time carried in the
//     log;
//   - the internal tables (internal.go, sqlval.InternalTables): the meta
//     table and the session tables, in the replicated database (the
//     session tables from rules version 3 on, created where it comes into
//     force), hidden from schema listings and dumps, write-protected;
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
//   - reads on separate read-only connections (Query), each in a read
//     transaction that first brings the connection's copy of the schema
//     up to date with the snapshot it reads (readtx.go), a wait for an applied
//     index (WaitApplied), the pre-check the client service runs before
//     proposing (Precheck), a content digest for tests and status
//     (Digest), and the database as SQL text (Dump, dump.go), read in one
//     read transaction that ctx and Close cancel.
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
//     savepoint whose name begins with ReservedPrefix, dbstat and
//     sqlite_dbpage;
//   - change an internal table (_resqlite_state, _resqlite_sessions,
//     _resqlite_session_results), index it or put a trigger on it; read
//     one (a query may); create a table, index, view or trigger whose name
//     begins with ReservedPrefix, also by ALTER TABLE … RENAME TO (one
//     with an internal table's name, under every rules version);
//   - run a PRAGMA, or read its pragma_ table, that pragmas.go does not
//     classify PragmaWrite: only user_version and application_id may be
//     set; table_info, table_xinfo, index_list, index_info, index_xinfo,
//     foreign_key_list, and foreign_key_check and table_list with a table
//     name, may be read. Everything else (schema_version, which the backup
//     API rewrites when a snapshot is restored; page_count, freelist_count,
//     max_page_count and the other file-layout values; compile_options,
//     function_list, module_list, pragma_list and the other build-dependent
//     lists; integrity_check, which reports the node's own file; every
//     connection setting) is a read, refused in a write;
//   - read or change the planner's statistics (sqlite_stat1, sqlite_stat4)
//     or run ANALYZE: SQLite loads statistics only with the schema, so
//     nodes restarted at different log positions would pick different
//     plans for the same INSERT … SELECT and store rows in different
//     orders;
//   - insert into a rowid table whose largest rowid is already
//     9223372036854775807 (SQLite would pick a random rowid): checked before
//     each statement for every table it may insert into, triggers included;
//   - change, drop, alter or put a trigger on a virtual table's shadow
//     table (ft_data of an fts5 table ft…), or create a table under such a
//     name: SQLite's defensive mode, on the apply connection (shadow.go).
//     Only the entry that created a virtual table may load its shadow
//     tables, before it uses the table, as a dump reload does.
//
// Bounded, by counters that are the same on every node, so that an entry
// too big or too long fails as its result everywhere instead of halting
// every node each time it is replayed (kind ErrorRuntime):
//   - MaxEntrySteps SQLite VM instructions per entry (an endless recursive
//     CTE), SQLITE_INTERRUPT;
//   - MaxValueBytes per string, blob or row the entry makes (zeroblob,
//     printf, group_concat, concatenation: SQLITE_LIMIT_LENGTH of the
//     apply connection), SQLITE_TOOBIG;
//   - MaxResultBytes of rows the entry returns (RETURNING, a SELECT in a
//     block), SQLITE_TOOBIG.
//
// SQLite's heap limits are not used: they are process-wide and count the
// read connections, so they would differ between nodes. A genuine
// SQLITE_FULL or SQLITE_NOMEM (the disk or the memory of the node ran
// out) is an environment error and halts apply; the entry is applied
// again after a restart.
//
// # Rules versions
//
// The rules above are RulesV6. RulesV5 is the same without the shadow
// table rule, with an SQLITE_CORRUPT_VTAB halting apply, with fts5's own
// PRAGMA data_version refused while a write runs, and with a failed entry
// that created and wrote a virtual table halting apply at COMMIT (see
// RulesV6). It lets a write use generate_series (serieswrite.go), which
// RulesV4 does not: RulesV4 is the same without it (a write naming it
// fails with "no such table"), and takes restores through the log
// (restore.go); RulesV3 is RulesV4 without restores, and honours client
// sessions (entry kind 3, session.go). RulesV2 is the same list without sessions (their
// entries are refused as their result, and the session tables do not
// exist), with the reserved-name rule narrowed to the internal tables'
// exact names (see policy.checkNewName) and with reads of _resqlite_state
// allowed. A database made before rules versions is at RulesV1 (RulesV2
// without the PRAGMA allow-list, the statistics rule and MaxValueBytes;
// reading any PRAGMA but the node-dependent ones was allowed), so the
// entries already in its log give the same result when replayed. (The
// internal tables and their names are protected under every version; a
// log whose V1 or V2 entries, written by an older binary, created an
// object with an internal table's name cannot be replayed by this binary
// alike: see ErrReservedName and policy.checkNewName.) A rules entry
// (Command.Rules) switches the version at its log position; a new database starts at MaxRulesVersion, or at
// Options.NewDatabaseRules (a node joining a cluster passes the version
// the cluster's databases started at, InitialRulesVersion, since it
// replays the log from its start); an entry naming a version this binary
// does not know halts apply. The node assembly proposes the switch once
// every member supports the new version.
//
// Reads (Query) may call any function but last_insert_rowid(), changes()
// and total_changes(): a read connection made no changes, so they would
// answer 0 (sessionfuncs.go); they are refused with the reason.
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
// configuration and, since data format 2 (rpc/node's DataFormat), the
// term of the applied entry (column applied_term). Open adds that column
// to a database that lacks it, term 0 ("unknown") until the next apply;
// Restore does the same to a snapshot from such a database. The rules
// version columns are added the same way, by Open and by Restore. The
// leader time (leader_time) and the session tables (SessionsTable,
// SessionResultsTable) are replicated state of RulesV3: a new database at
// RulesV3 has them from the start, and an older one gets them from the
// rules entry that switches it to RulesV3, at that log position on every
// node (internal.go); Open and Restore of an older one leave them out.
// RestoreTable is replicated state of RulesV4 in the same way. Open and
// Restore fail (ErrReservedName) when a user object already has an
// internal table's name.
//
// # Backups and restores
//
// Backup streams the user's database as a plain SQLite file (backup.go).
// A restore replaces it through the log: chunk entries staged in
// RestoreTable, then a finishing entry that swaps the file in at its log
// position, keeping the internal state (restore.go); ValidateDatabase
// (dbfile.go) is the check a restored or booted file must pass.
package statemachine
