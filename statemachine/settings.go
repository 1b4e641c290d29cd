package statemachine

// applySettings are the fixed settings of the apply connection, run once
// when it opens. Writes cannot change them (PRAGMAs that set anything other
// than user_version and application_id are rejected), so every node applies
// entries under the same rules:
//
//   - journal_mode=WAL: readers on other connections never block apply.
//   - synchronous=NORMAL: a power loss may lose the last transactions but
//     never corrupts the file; the Raft log is the durable record and the
//     lost entries are applied again (the applied index is stored in the
//     same transaction as the data). Never OFF.
//   - foreign_keys=OFF and recursive_triggers=OFF: SQLite's and the sqlite3
//     CLI's defaults, so scripts behave as they do in sqlite3. (Deferred
//     foreign keys would also be checked only at the batch's COMMIT, which
//     would break the one-entry-fails-alone rule.)
//   - trusted_schema=ON: the overridden date/time functions may be used in
//     views, triggers, indexes and generated columns.
//   - reverse_unordered_selects=OFF, cell_size_check=OFF, secure_delete
//     and the other settings: SQLite's defaults.
//   - busy_timeout=5000: only a checkpoint or a restore could hold a lock;
//     a write still busy after that is an environment error and stops apply.
const applySettings = `
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA foreign_keys=OFF;
PRAGMA recursive_triggers=OFF;
PRAGMA trusted_schema=ON;
PRAGMA reverse_unordered_selects=OFF;
PRAGMA busy_timeout=5000;
`

// readSettings are run on every read-only connection.
const readSettings = `
PRAGMA query_only=ON;
PRAGMA trusted_schema=ON;
PRAGMA busy_timeout=5000;
`

// metaSchema creates the table that records the applied index and the
// latest configuration, in the same database (and transactions) as the data;
// the term of the applied entry is a column added after it (appliedterm.go).
const metaSchema = `
CREATE TABLE IF NOT EXISTS ` + MetaTable + ` (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	applied_index INTEGER NOT NULL,
	config_index INTEGER NOT NULL,
	config BLOB
);
INSERT OR IGNORE INTO ` + MetaTable + ` (id, applied_index, config_index, config) VALUES (1, 0, 0, NULL);
`
