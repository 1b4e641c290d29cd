package statemachine

import (
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/resqlite/resqlite/raft"
)

// appliedTermColumn of MetaTable holds the term of the entry at the
// applied index, written in the same transaction as the index. With it the
// node can rebuild its log's snapshot record from the state machine alone
// after a crash in the middle of installing a snapshot (raft.AppliedState).
// A database from before the column (data format 1) gets it, set to 0
// ("unknown"), when it is opened; the next apply fills it in.
const appliedTermColumn = "applied_term"

// addAppliedTerm adds appliedTermColumn to MetaTable on c unless it is
// there. Every database, new or old, gets the column through this same
// ALTER, so the table's schema text is the same on every node.
func addAppliedTerm(c *conn) error {
	stmt, _, err := c.prepare("SELECT count(*) FROM pragma_table_info('" + MetaTable + "') WHERE name = '" + appliedTermColumn + "'")
	if err != nil {
		return fmt.Errorf("inspect %s: %w", MetaTable, err)
	}
	rc := sqlite3.Xsqlite3_step(c.tls, stmt)
	var has bool
	if rc == sqlite3.SQLITE_ROW {
		has = sqlite3.Xsqlite3_column_int64(c.tls, stmt, 0) > 0
	}
	c.finalize(stmt)
	if rc != sqlite3.SQLITE_ROW {
		return fmt.Errorf("inspect %s: %w", MetaTable, c.lastError(rc))
	}
	if has {
		return nil
	}
	if err := c.exec("ALTER TABLE " + MetaTable + " ADD COLUMN " + appliedTermColumn + " INTEGER NOT NULL DEFAULT 0"); err != nil {
		return fmt.Errorf("add %s.%s: %w", MetaTable, appliedTermColumn, err)
	}
	return nil
}

// readAppliedTerm reads the term of the applied entry on c (0: unknown).
func readAppliedTerm(c *conn) (uint64, error) {
	stmt, _, err := c.prepare("SELECT " + appliedTermColumn + " FROM " + MetaTable + " WHERE id = 1")
	if err != nil {
		return 0, fmt.Errorf("read %s.%s: %w", MetaTable, appliedTermColumn, err)
	}
	defer c.finalize(stmt)
	if rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc != sqlite3.SQLITE_ROW {
		return 0, fmt.Errorf("read %s.%s: %w", MetaTable, appliedTermColumn, c.lastError(rc))
	}
	v := c.row(stmt, 1)[0]
	if v.Type != TypeInteger || v.Int < 0 {
		return 0, fmt.Errorf("read %s.%s: bad value %v", MetaTable, appliedTermColumn, v)
	}
	return uint64(v.Int), nil
}

// AppliedState reports the applied index, the term of that entry (0 when
// the database predates the term's column and nothing was applied since)
// and the configuration in force there (raft.AppliedStateReporter). The
// node uses it at start-up to repair a log left behind the state machine
// by a crash during a snapshot install.
func (sm *StateMachine) AppliedState() (raft.AppliedState, error) {
	sm.mu.Lock()
	st := raft.AppliedState{Index: sm.applied, Term: sm.appliedTerm, ConfigIndex: sm.configIndex}
	cfg := sm.config
	sm.mu.Unlock()
	if st.ConfigIndex == 0 {
		return st, nil
	}
	c, err := raft.DecodeConfiguration(cfg)
	if err != nil {
		return raft.AppliedState{}, fmt.Errorf("statemachine: configuration entry %d: %w", st.ConfigIndex, err)
	}
	st.Config = c
	return st, nil
}
