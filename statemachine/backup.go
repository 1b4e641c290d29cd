package statemachine

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"modernc.org/sqlite"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// backupPieceBytes is the size of the pieces Backup writes.
const backupPieceBytes = 1 << 20

// Backup writes the user's database as a plain SQLite file, taken at one
// applied index: SQLite's backup API copies the database into a private
// temporary file inside one read transaction (so apply and queries go on
// meanwhile; the copy holds no write lock), the internal tables
// (sqlval.InternalTables) and the planner's statistics (sqlite_stat*,
// node-local data that Restore refuses) are dropped from the copy (their
// pages zeroed), which is switched to the rollback journal and streamed to w in pieces, never held in memory
// whole. start is called once the file is ready with the applied index
// and its size, and returns the writer it goes to. Backup returns the
// applied index.
func (sm *StateMachine) Backup(ctx context.Context, start func(applied uint64, size int64) io.Writer) (uint64, error) {
	tmp, err := os.CreateTemp(sm.dir, "backup-*.db")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer removeDatabase(tmpPath)
	applied, err := sm.copyDatabase(ctx, tmpPath)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := stripInternal(tmpPath); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	f, err := os.Open(tmpPath)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	w := start(applied, st.Size())
	if n, err := io.CopyBuffer(w, &ctxReader{ctx: ctx, r: f}, make([]byte, backupPieceBytes)); err != nil {
		return applied, fmt.Errorf("backup: sent %d of %d bytes: %w", n, st.Size(), err)
	}
	return applied, nil
}

// copyDatabase copies the whole database into path on a read connection
// and returns the applied index of the copy.
func (sm *StateMachine) copyDatabase(ctx context.Context, path string) (uint64, error) {
	r, err := sm.acquireReader(ctx)
	if err != nil {
		return 0, err
	}
	defer sm.releaseReader(r)
	applied, _, _, err := r.copyTo(path)
	return applied, err
}

// stripInternal drops ReSqlite's internal tables and SQLite's statistics
// tables from the database at path and leaves it in rollback
// journal mode: a plain SQLite file holding the user's database only,
// its schema in the order the cluster's has it.
func stripInternal(path string) error {
	c, err := openConn(&sqlite.Driver{}, path)
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.exec("PRAGMA journal_mode = DELETE"); err != nil {
		return fmt.Errorf("journal mode: %w", err)
	}
	// Not VACUUM, which would reorder sqlite_schema (tables, indexes,
	// then views and triggers) and so the file's .dump: the pages the
	// dropped tables free are zeroed instead, and stay free in the file.
	if err := c.exec("PRAGMA secure_delete = ON"); err != nil {
		return fmt.Errorf("secure delete: %w", err)
	}
	var drop []string
	err = c.each("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY rowid", func(row []Value) {
		name := row[0].Text
		if sqlval.IsInternalTable(name) || strings.HasPrefix(strings.ToLower(name), "sqlite_stat") {
			drop = append(drop, name)
		}
	})
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	for _, name := range drop {
		if err := c.exec("DROP TABLE " + quoteIdent(name)); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ctxReader is a reader that fails once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
