package statemachine

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"

	sqlite3 "modernc.org/sqlite/lib"
)

// A restore replaces the user's database through the log (RulesV4), so
// that every node swaps in the same file at the same log position and
// keeps its internal state (applied index, configuration, rules, client
// sessions):
//   - restore chunks (Command.RestoreChunk) carry the file in pieces; each
//     is staged in RestoreTable, in the apply transaction like any entry,
//     so the staged file is part of every snapshot, survives a crash and
//     is the same on every node at every log position. Chunks go in order
//     from offset 0; one already staged is accepted again and changes
//     nothing (a client resends a chunk whose outcome it did not learn, to
//     a new leader too); offset 0 of a new restore discards whatever
//     another one staged;
//   - the finishing entry (Command.RestoreFinish) assembles the staged
//     file, checks its size, its SHA-256 and that it is a valid database
//     (ValidateDatabase); if any check fails the entry's result is the
//     refusal, the staged chunks are dropped and nothing else changes.
//     Otherwise the file, with the internal tables copied in from the
//     current database and the finishing entry's index recorded as
//     applied, replaces the database in one SQLite transaction (the backup
//     API, as a snapshot's Restore does): a crash leaves either the old
//     database with the chunks staged (the entry is applied again after a
//     restart) or the new one with the entry applied.

// ErrRestoreRefused is wrapped by the refusals of a restore's chunk or
// finishing entry that Apply gives as the entry's result.
var ErrRestoreRefused = errors.New("restore refused")

// refuseRestore is the result of a refused restore entry at index.
func refuseRestore(index uint64, format string, a ...any) *Result {
	return &Result{Index: index, Err: &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_ERROR, Offset: -1,
		Message: "restore refused, nothing changed: " + fmt.Sprintf(format, a...)}}
}

// refuseRestoreOldRules is the result of a restore entry under a rules
// version before RulesV4.
func refuseRestoreOldRules(index uint64, v RulesVersion) *Result {
	return refuseRestore(index, "restores need rules version %d; this cluster is at version %d", RulesV4, v)
}

// stageChunk stages ch, the restore chunk at index, inside the apply
// transaction and returns its result.
func (w *writer) stageChunk(index uint64, ch *RestoreChunk) (*Result, error) {
	row, err := w.runRow("SELECT restore_id, chunk_offset + length(data) FROM " + RestoreTable + " ORDER BY chunk_offset DESC LIMIT 1")
	if err != nil {
		return nil, err
	}
	var id, end uint64
	if row != nil {
		id, end = uint64(row[0].Int), uint64(row[1].Int)
	}
	if ch.Offset == 0 && id != ch.ID {
		if _, err := w.run("DELETE FROM " + RestoreTable); err != nil {
			return nil, err
		}
		id, end = ch.ID, 0
	}
	switch {
	case id != ch.ID && id == 0:
		return refuseRestore(index, "restore %d has nothing staged: its chunks start at offset 0", ch.ID), nil
	case id != ch.ID:
		return refuseRestore(index, "restore %d is staged, not %d (a new restore starts at offset 0)", id, ch.ID), nil
	case ch.Offset+uint64(len(ch.Data)) <= end:
		return &Result{Index: index}, nil // staged already
	case ch.Offset != end:
		return refuseRestore(index, "restore %d: chunk at offset %d, but %d bytes are staged", ch.ID, ch.Offset, end), nil
	}
	_, err = w.run("INSERT INTO "+RestoreTable+" (chunk_offset, restore_id, data) VALUES (?1, ?2, ?3)",
		Integer(int64(ch.Offset)), Integer(int64(ch.ID)), Blob(ch.Data))
	if err != nil {
		return nil, err
	}
	return &Result{Index: index}, nil
}

// finishRestore applies the restore's finishing entry at position i of
// the batch, alone, after the entries before it were committed.
func (b *batch) finishRestore(w *writer, i int) error {
	e, f := b.entries[i], b.cmds[i].RestoreFinish
	if b.rules < RulesV4 {
		return b.run(w, i, i+1) // applyEntry refuses it
	}
	path, refusal, err := w.assembleRestore(b.dir, e.Index, e.Term, f)
	if path != "" {
		defer removeDatabase(path)
	}
	if err != nil {
		return err
	}
	if refusal != "" {
		b.results[i] = refuseRestore(e.Index, "%s", refusal)
		return b.run(w, i, i+1) // applyEntry drops the staged chunks
	}
	if err := b.swap(path, e.Index); err != nil {
		return err
	}
	b.results[i] = &Result{Index: e.Index}
	return nil
}

// assembleRestore writes the staged file of restore f into a temporary
// file in dir, checks it and prepares it to replace the database as of
// the entry at index and term. It returns the file's path (to remove),
// and the refusal when the file fails a check; an error is the
// environment's.
func (w *writer) assembleRestore(dir string, index, term uint64, f *RestoreFinish) (path, refusal string, err error) {
	w.pol.reset(modeInternal)
	row, err := w.runRow("SELECT restore_id, chunk_offset + length(data) FROM " + RestoreTable + " ORDER BY chunk_offset DESC LIMIT 1")
	switch {
	case err != nil:
		return "", "", err
	case row == nil || uint64(row[0].Int) != f.ID:
		return "", fmt.Sprintf("restore %d has nothing staged", f.ID), nil
	case uint64(row[1].Int) != f.Size:
		return "", fmt.Sprintf("restore %d: %d bytes are staged, the file has %d", f.ID, row[1].Int, f.Size), nil
	}
	tmp, err := os.CreateTemp(dir, "restore-*.db")
	if err != nil {
		return "", "", err
	}
	path = tmp.Name()
	h := sha256.New()
	err = w.c.scan("SELECT data FROM "+RestoreTable+" ORDER BY chunk_offset", func(row []Value) error {
		h.Write(row[0].Blob)
		_, err := tmp.Write(row[0].Blob)
		return err
	})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return path, "", fmt.Errorf("assemble restore %d: %w", f.ID, err)
	}
	if got := h.Sum(nil); string(got) != string(f.SHA256[:]) {
		return path, fmt.Sprintf("restore %d: the staged file's SHA-256 is %x, the client's %x", f.ID, got, f.SHA256), nil
	}
	if err := ValidateDatabase(path); errors.Is(err, ErrBadDatabase) {
		return path, err.Error(), nil
	} else if err != nil {
		return path, "", err
	}
	pageSize, err := w.run("PRAGMA page_size")
	if err != nil {
		return path, "", err
	}
	return path, "", prepareRestored(path, w.path, pageSize.Int, index, term)
}

// applyRestore applies the restore entry at position i inside the
// attempt's transaction: a chunk is staged; a finishing entry that
// reaches a transaction was refused (its result is set) and drops the
// staged chunks. Under a rules version before RulesV4 both are refused.
func (b *batch) applyRestore(w *writer, i int) error {
	e, cmd := b.entries[i], b.cmds[i]
	switch {
	case w.pol.rules < RulesV4:
		b.results[i] = refuseRestoreOldRules(e.Index, w.pol.rules)
		return nil
	case cmd.RestoreChunk != nil:
		res, err := w.stageChunk(e.Index, cmd.RestoreChunk)
		b.results[i] = res
		return err
	}
	_, err := w.run("DELETE FROM " + RestoreTable)
	return err
}

// swapRestored replaces the database with the prepared file at path,
// which records index as applied (see Restore), and publishes it. The
// caller holds applyMu.
func (sm *StateMachine) swapRestored(path string, index uint64) error {
	meta, _, err := sm.replaceDatabase(path)
	if err != nil {
		return fmt.Errorf("entry %d: swap the restored database in: %w", index, err)
	}
	if meta.applied != index {
		return fmt.Errorf("entry %d: the restored database records index %d", index, meta.applied)
	}
	sm.publish(meta.applied, meta.term, meta.cfgIndex, meta.cfg)
	sm.log.Info("restored a database file through the log", "index", index)
	return nil
}
