package statemachine

import (
	"errors"
	"fmt"

	"github.com/resqlite/resqlite/raft"
)

// Apply applies committed entries in log order and returns one result per
// entry: a *Result for a normal entry, nil for no-op and configuration
// entries and for entries at or below the applied index (already applied
// before a restart). The entries after the applied index must follow it
// without a gap.
//
// All entries of a call run in one SQLite transaction with a SAVEPOINT per
// entry, so an entry that fails rolls back alone and the batch costs one
// commit; the applied index and the latest configuration are written in
// the same transaction. A statement that ends the transaction itself
// (INSERT OR ROLLBACK, RAISE(ROLLBACK) in a trigger) fails its entry; the
// batch's other entries are then applied again from the start of the
// batch, so none is lost or doubled.
//
// An error means the node's environment failed (I/O, disk full, out of
// memory, busy, corruption): nothing of the call was applied, the state
// machine halts and every later Apply returns the same error.
func (sm *StateMachine) Apply(entries []raft.Entry) ([]any, error) {
	sm.applyMu.Lock()
	defer sm.applyMu.Unlock()
	sm.mu.Lock()
	halted, closed, applied, cfgIndex, cfg := sm.halted, sm.closed, sm.applied, sm.configIndex, sm.config
	sm.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if halted != nil {
		return nil, halted
	}
	results := make([]any, len(entries))
	start := 0
	for start < len(entries) && entries[start].Index <= applied {
		start++
	}
	todo := entries[start:]
	if len(todo) == 0 {
		return results, nil
	}
	for i, e := range todo {
		if e.Index != applied+1+uint64(i) {
			return nil, fmt.Errorf("statemachine: entry %d follows applied index %d with a gap", e.Index, applied+uint64(i))
		}
	}
	b := batch{entries: todo, results: results[start:], cfgIndex: cfgIndex, cfg: cfg}
	if err := b.apply(sm.w); err != nil {
		return nil, sm.halt(fmt.Errorf("statemachine: apply entries %d-%d: %w", todo[0].Index, todo[len(todo)-1].Index, err))
	}
	sm.publish(todo[len(todo)-1].Index, b.cfgIndex, b.cfg)
	return results, nil
}

// batch is one call of Apply in progress.
type batch struct {
	entries  []raft.Entry
	results  []any
	cmds     []Command
	cfgIndex uint64
	cfg      []byte
	// ended marks the entries that ended the outer transaction; their
	// result is final and they are skipped when the batch runs again.
	ended map[int]bool
}

// apply runs the batch, running it again whenever an entry ends the outer
// transaction, until it commits.
func (b *batch) apply(w *writer) error {
	b.cmds = make([]Command, len(b.entries))
	for i, e := range b.entries {
		if e.Type != raft.EntryNormal {
			continue
		}
		cmd, err := DecodeCommand(e.Data)
		if err != nil {
			b.results[i] = &Result{Index: e.Index, Err: &Error{Kind: ErrorMalformed, Code: 1, Message: err.Error(), Offset: -1}}
			b.ended = mark(b.ended, i)
			continue
		}
		b.cmds[i] = cmd
	}
	startCfgIndex, startCfg := b.cfgIndex, b.cfg
	for {
		b.cfgIndex, b.cfg = startCfgIndex, startCfg
		again, err := b.attempt(w)
		if err != nil {
			if w.c.inTransaction() {
				if _, rerr := w.run("ROLLBACK"); rerr != nil {
					err = errors.Join(err, rerr)
				}
			}
			return err
		}
		if !again {
			return nil
		}
	}
}

// attempt runs the batch once in one transaction. It reports again=true
// when an entry ended the transaction (the entry is then marked ended).
func (b *batch) attempt(w *writer) (again bool, err error) {
	if _, err := w.run("BEGIN IMMEDIATE"); err != nil {
		return false, err
	}
	for i, e := range b.entries {
		switch {
		case e.Type == raft.EntryConfig:
			b.cfgIndex, b.cfg = e.Index, e.Data
			continue
		case e.Type != raft.EntryNormal, b.ended[i]:
			continue
		}
		if _, err := w.run("SAVEPOINT entry"); err != nil {
			return false, err
		}
		res, err := b.runCommand(w, e.Index, b.cmds[i])
		if err != nil {
			return false, err
		}
		b.results[i] = res
		switch {
		case res.Err == nil:
			if _, err := w.run("RELEASE entry"); err != nil {
				return false, err
			}
		case !w.c.inTransaction():
			b.ended = mark(b.ended, i)
			return true, nil
		default:
			if _, err := w.run("ROLLBACK TO entry"); err != nil {
				return false, err
			}
			if _, err := w.run("RELEASE entry"); err != nil {
				return false, err
			}
		}
	}
	if err := w.writeMeta(b.entries[len(b.entries)-1].Index, b.cfgIndex, b.cfg); err != nil {
		return false, err
	}
	if _, err := w.run("COMMIT"); err != nil {
		return false, err
	}
	return false, nil
}

// runCommand runs every statement of cmd, stopping at the first error.
func (b *batch) runCommand(w *writer, index uint64, cmd Command) (*Result, error) {
	res := &Result{Index: index}
	for si, st := range cmd.Statements {
		out, serr, err := w.execStatement(si, st)
		if err != nil {
			return nil, err
		}
		res.Statements = append(res.Statements, out...)
		if serr != nil {
			res.Err = serr
			return res, nil
		}
	}
	return res, nil
}

func mark(m map[int]bool, i int) map[int]bool {
	if m == nil {
		m = map[int]bool{}
	}
	m[i] = true
	return m
}
