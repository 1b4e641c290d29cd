package statemachine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Sync makes every applied entry durable against a power loss, not only a
// process crash (raft.Syncer): the node calls it before it compacts the
// log behind the applied index, and after it restores a snapshot. An
// error halts the state machine, as an fsync error must.
//
// With synchronous=NORMAL a commit only appends frames to the WAL; SQLite
// fsyncs the WAL when a checkpoint starts and the database file when a
// checkpoint completes. A PASSIVE checkpoint cannot complete while a read
// transaction is open (a Dump, a Digest, a long query): it copies only the
// frames before the reader's mark, or none, and fsyncs nothing written
// after. So Sync checkpoints (to keep the WAL short) and then fsyncs the
// WAL file itself, whatever the checkpoint achieved. That suffices:
//   - on open SQLite recovers every frame of the WAL whose checksum chain
//     is valid, so a synced WAL holds every committed transaction;
//   - the WAL is reset (written again from its start) only after a
//     checkpoint copied all of it into the database file and fsynced that
//     file, so the frames a reset overwrites are already durable in the
//     database file; frames a partial checkpoint copied stay in the WAL
//     and are copied again after a crash.
//
// The directory is synced too, so the WAL file's own entry is durable.
func (sm *StateMachine) Sync() error {
	sm.applyMu.Lock()
	defer sm.applyMu.Unlock()
	if err := sm.writable(); err != nil {
		return err
	}
	sm.w.pol.reset(modeInternal)
	if err := sm.w.c.exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		return sm.halt(fmt.Errorf("statemachine: sync: checkpoint: %w", err))
	}
	if err := sm.fsync(sm.path + "-wal"); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return sm.halt(fmt.Errorf("statemachine: sync: %w", err))
		}
		// No WAL: SQLite removes it only after a complete checkpoint,
		// which fsynced the database file.
	}
	if err := sm.fsync(filepath.Dir(sm.path)); err != nil {
		return sm.halt(fmt.Errorf("statemachine: sync: directory: %w", err))
	}
	return nil
}

// fsyncPath opens the file (or directory) at path and fsyncs it. On Linux
// fsync flushes the file's data from the page cache whichever descriptor
// wrote it, so a descriptor of our own covers what SQLite wrote.
func fsyncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return f.Close()
}
