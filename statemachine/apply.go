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
// the same transaction, with the term of the last entry. A statement that ends the transaction itself
// (INSERT OR ROLLBACK, RAISE(ROLLBACK) in a trigger) fails its entry; the
// entries of the batch before it are then applied again (see batch.apply),
// so none is lost or doubled.
//
// An error means the node's environment failed (I/O, disk full, out of
// memory, busy, corruption): the transaction in progress was rolled back
// (AppliedIndex tells what was committed), the state machine halts and
// every later Apply returns the same error.
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
	b := batch{entries: todo, results: results[start:], cfgIndex: cfgIndex, cfg: cfg, committed: sm.publish,
		rules: sm.RulesVersion(), rulesCommitted: func(v RulesVersion) { sm.rules.Store(uint32(v)) },
		dir: sm.dir, swap: sm.swapRestored}
	if err := b.apply(sm.w); err != nil {
		return nil, sm.halt(fmt.Errorf("statemachine: apply entries %d-%d: %w", todo[0].Index, todo[len(todo)-1].Index, err))
	}
	return results, nil
}

// batch is one call of Apply in progress.
type batch struct {
	entries []raft.Entry
	results []any
	cmds    []Command
	// cfgIndex and cfg are the configuration as of the last commit.
	cfgIndex uint64
	cfg      []byte
	// ended marks the entries that ended the outer transaction (and the
	// malformed ones); their result is final and they are skipped.
	ended map[int]bool
	// committed is told each commit's applied index, its term and the
	// configuration.
	committed func(applied, term, cfgIndex uint64, cfg []byte)
	// rules is the rules version in force as of the last commit;
	// rulesCommitted is told it after each commit.
	rules          RulesVersion
	rulesCommitted func(RulesVersion)
	// dir is the state directory, for a restore's temporary file; swap
	// replaces the database with a restore's prepared file that records
	// index as applied (restore.go).
	dir  string
	swap func(path string, index uint64) error
}

// apply runs the batch in as few transactions as it can: one, unless an
// entry ends the transaction itself or finishes a restore. A restore's
// finishing entry is applied alone, after the entries before it were
// committed (restore.go).
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
	for from := 0; from < len(b.entries); {
		next := from
		for next < len(b.entries) && b.cmds[next].RestoreFinish == nil {
			next++
		}
		if err := b.run(w, from, next); err != nil {
			return err
		}
		if next == len(b.entries) {
			return nil
		}
		if err := b.finishRestore(w, next); err != nil {
			return err
		}
		from = next + 1
	}
	return nil
}

// run applies entries [from, limit) in as few transactions as it can:
// one, unless an entry ends the transaction itself. Then the entries
// before it are run again and committed with it (its result is its error,
// its effects are gone), and the rest continue in a new transaction; so
// every entry is applied once and the work stays linear.
func (b *batch) run(w *writer, from, limit int) error {
	to := limit
	for from < limit {
		endedAt, err := b.attempt(w, from, to)
		if err != nil {
			w.setRules(b.rules)
			if w.c.inTransaction() {
				if _, rerr := w.run("ROLLBACK"); rerr != nil {
					err = errors.Join(err, rerr)
				}
			}
			return err
		}
		if endedAt < 0 {
			from, to = to, limit
			continue
		}
		b.ended = mark(b.ended, endedAt)
		to = endedAt + 1
	}
	return nil
}

// attempt runs entries [from, to) in one transaction and commits them with
// the applied index of entry to-1. If an entry ends the transaction, it
// returns that entry's position (nothing of the attempt is committed);
// otherwise -1.
func (b *batch) attempt(w *writer, from, to int) (endedAt int, err error) {
	if _, err := w.run("BEGIN IMMEDIATE"); err != nil {
		return -1, err
	}
	w.forgetLeaderTime()
	w.setRules(b.rules)
	cfgIndex, cfg := b.cfgIndex, b.cfg
	for i := from; i < to; i++ {
		e := b.entries[i]
		if e.Type == raft.EntryConfig {
			cfgIndex, cfg = e.Index, e.Data
			continue
		}
		if e.Type != raft.EntryNormal {
			continue
		}
		ended, err := b.applyEntry(w, i)
		if err != nil {
			return -1, err
		}
		if ended {
			return i, nil
		}
	}
	applied, term := b.entries[to-1].Index, b.entries[to-1].Term
	if err := w.flushLeaderTime(); err != nil {
		return -1, err
	}
	if err := w.writeMeta(applied, term, cfgIndex, cfg); err != nil {
		return -1, err
	}
	if _, err := w.run("COMMIT"); err != nil {
		return -1, err
	}
	b.cfgIndex, b.cfg = cfgIndex, cfg
	b.rules = w.pol.rules
	b.rulesCommitted(b.rules)
	b.committed(applied, term, cfgIndex, cfg)
	return -1, nil
}

// applyEntry applies the normal entry at position i inside the attempt's
// transaction and sets its result; ended reports that the entry ended the
// transaction (its result is then final and the attempt must stop).
func (b *batch) applyEntry(w *writer, i int) (ended bool, err error) {
	e, cmd := b.entries[i], b.cmds[i]
	switch {
	case cmd.Rules != 0:
		if err := w.switchRules(e.Index, cmd.Rules); err != nil {
			return false, err
		}
		b.results[i] = &Result{Index: e.Index}
		return false, nil
	case cmd.Register || cmd.Session != nil:
		return b.applySession(w, i)
	case b.ended[i]:
		return false, nil
	case cmd.RestoreChunk != nil || cmd.RestoreFinish != nil:
		return false, b.applyRestore(w, i)
	}
	res, ended, err := runEntry(w, e.Index, cmd)
	if err != nil {
		return false, err
	}
	b.results[i] = res
	return ended, nil
}

// applySession applies the registration or session write at position i
// (session.go). A session write that ended the transaction in an earlier
// attempt does not run again: its final result is recorded for its seq.
func (b *batch) applySession(w *writer, i int) (ended bool, err error) {
	e, cmd := b.entries[i], b.cmds[i]
	switch {
	case w.pol.rules < RulesV3:
		b.results[i] = refuseOldRules(e.Index, w.pol.rules)
		return false, nil
	case cmd.Register:
		res, err := w.register(e.Index, cmd.Time)
		b.results[i] = res
		return false, err
	}
	final, s, err := w.sessionGate(e.Index, cmd)
	if err != nil {
		return false, err
	}
	if final != nil {
		b.results[i] = final
		return false, nil
	}
	res, _ := b.results[i].(*Result)
	if !b.ended[i] {
		if res, ended, err = runEntry(w, e.Index, cmd); err != nil || ended {
			b.results[i] = res
			return ended, err
		}
		b.results[i] = res
	}
	return false, w.recordSession(s, res)
}

// runEntry runs cmd, the entry at index, in its own savepoint, which it
// releases, or rolls back if the entry failed. ended reports that a
// statement ended the transaction itself (INSERT OR ROLLBACK…).
func runEntry(w *writer, index uint64, cmd Command) (res *Result, ended bool, err error) {
	if _, err := w.run("SAVEPOINT " + entrySavepoint); err != nil {
		return nil, false, err
	}
	if res, err = runCommand(w, index, cmd); err != nil {
		return nil, false, err
	}
	if res.Err == nil {
		if res.Err, err = w.flushVtabs(len(cmd.Statements) - 1); err != nil {
			return nil, false, err
		}
	}
	switch {
	case res.Err == nil:
		_, err = w.run("RELEASE " + entrySavepoint)
	case !w.c.inTransaction():
		return res, true, nil
	case w.createdVtab || w.flushFailed:
		// SQLite cannot roll a virtual table it created back to a
		// savepoint once the table was written: the module, still in the
		// transaction, fails its COMMIT (sqlite3 3.40 does the same); nor
		// one whose flush failed, which keeps what it did not flush. The
		// whole transaction goes instead, as for INSERT OR ROLLBACK.
		if _, err = w.run("ROLLBACK"); err != nil {
			return nil, false, err
		}
		return res, true, nil
	default:
		if _, err = w.run("ROLLBACK TO " + entrySavepoint); err == nil {
			_, err = w.run("RELEASE " + entrySavepoint)
		}
	}
	if err != nil {
		return nil, false, err
	}
	return res, false, nil
}

// runCommand runs every statement of cmd, stopping at the first error.
func runCommand(w *writer, index uint64, cmd Command) (*Result, error) {
	res := &Result{Index: index}
	w.budget.reset()
	w.resultBytes = 0
	clear(w.fresh)
	w.createdVtab = false
	w.flushFailed = false
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
