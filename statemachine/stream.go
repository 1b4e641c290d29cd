package statemachine

import (
	"context"
	"errors"
)

// ErrRestored ends a read that was running when the node restored a
// snapshot: the database it read was replaced, and the read must not pin
// the old one (its read transaction keeps the WAL from being
// checkpointed).
var ErrRestored = errors.New("statemachine: read cancelled: the node restored a snapshot that replaced the database")

// rowSink receives a read's columns once, then its rows one by one.
type rowSink struct {
	columns func(cols []string) error
	row     RowFunc
}

// RowFunc receives one row of a streamed read. ctx is the read's own
// context: it ends when the caller's does and when a Restore cancels the
// read, and a RowFunc that waits (for its consumer) must return when it
// ends.
type RowFunc func(ctx context.Context, row []Value) error

// QueryEach runs one read-only statement as Query does, but streams its
// result: columns is called once with the column names (also for a result
// without rows), then row with each row as SQLite steps it (and the read's context), so the result
// is never held whole. The read transaction stays open until the last
// row was handed over; a callback that blocks holds it (and the WAL). An
// error returned by a callback ends the read and is returned. A Restore
// ends a running read with ErrRestored; ctx cancels it.
func (sm *StateMachine) QueryEach(ctx context.Context, sql string, params []Param, columns func([]string) error, row RowFunc) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r, err := sm.acquireReader(ctx)
	if err != nil {
		return err
	}
	defer sm.releaseReader(r)
	if err := sm.arm(r); err != nil {
		return err
	}
	defer sm.watchRestore(cancel)()
	r.work.run(func() { err = r.query(ctx, sql, params, rowSink{columns: columns, row: row}) })
	return err
}

// watchRestore has the next Restore call cancel (with ErrRestored) until
// the returned function is called.
func (sm *StateMachine) watchRestore(cancel context.CancelCauseFunc) (stop func()) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	sm.nextRead++
	id := sm.nextRead
	if sm.streams == nil {
		sm.streams = map[uint64]context.CancelCauseFunc{}
	}
	sm.streams[id] = cancel
	return func() {
		sm.mu.Lock()
		defer sm.mu.Unlock()
		delete(sm.streams, id)
		sm.readsDone++
	}
}

// RunningReads is the number of QueryEach reads running now (each holds a
// read transaction open).
func (sm *StateMachine) RunningReads() int {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	return len(sm.streams)
}

// FinishedReads is the number of QueryEach reads that ended since the
// state machine was opened.
func (sm *StateMachine) FinishedReads() uint64 {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	return sm.readsDone
}

// cancelReads ends every running read with ErrRestored.
func (sm *StateMachine) cancelReads() {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	for id, cancel := range sm.streams {
		cancel(ErrRestored)
		delete(sm.streams, id)
	}
}
