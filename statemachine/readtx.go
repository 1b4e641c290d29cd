package statemachine

import "fmt"

// schemaProbe is the first statement of every read transaction on a read
// connection. Running it checks the connection's copy of the schema
// against the schema cookie of the snapshot the transaction reads, and
// reloads the schema when apply changed it since (SQLite checks the
// cookie when a statement starts, not when it is prepared).
const schemaProbe = "SELECT 1 FROM sqlite_schema LIMIT 1"

// beginSnapshot opens a read transaction on r and brings the connection's
// schema up to date with the snapshot it reads, so that statements
// prepared next are compiled against the schema of the state they read.
// A pooled connection otherwise keeps the schema it last loaded, and the
// checks SQLite makes while preparing (a sub-select's column count, a
// compound SELECT's) would use a table's dropped definition (issue 14,
// bug 7). endSnapshot ends the transaction.
func (r *reader) beginSnapshot() error {
	r.pol.reset(modeInternal)
	defer r.pol.reset(modeRead)
	if r.c.inTransaction() {
		// Left open by a read whose ROLLBACK failed: never read from it.
		if err := r.c.exec("ROLLBACK"); err != nil {
			return fmt.Errorf("end a stale read transaction: %w", err)
		}
	}
	if err := r.c.exec("BEGIN; " + schemaProbe); err != nil {
		r.endSnapshot()
		return fmt.Errorf("begin read transaction: %w", err)
	}
	return nil
}

// endSnapshot ends the read transaction beginSnapshot opened (a read
// connection has nothing to commit).
func (r *reader) endSnapshot() {
	r.pol.reset(modeInternal)
	defer r.pol.reset(modeRead)
	if r.c.inTransaction() {
		r.c.exec("ROLLBACK")
	}
}
