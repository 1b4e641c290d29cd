package statemachine

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultMaxEntrySteps is the default work limit of one entry, in SQLite
// virtual machine instructions (about a second or two of work per 10^8).
const DefaultMaxEntrySteps = 1 << 30

// progressInterval is how many VM instructions pass between two calls of
// the progress handler, the unit the budget is counted in.
const progressInterval = 1000

// stepBudget bounds the work of one entry so that a statement that never
// ends (an unbounded recursive CTE) fails with a result instead of hanging
// apply on every node. SQLite counts virtual machine instructions the same
// way on every node (same statement, schema and data), so the limit is
// deterministic. The remaining budget lives in C memory, read by the
// progress handler SQLite calls.
type stepBudget struct {
	c       *conn
	counter uintptr // *int64 in C memory: progress calls left
	limit   int64   // progress calls per entry
}

// newStepBudget installs the progress handler on c; maxSteps is the limit
// per entry in VM instructions.
func newStepBudget(c *conn, maxSteps int64) (*stepBudget, error) {
	p := libc.Xmalloc(c.tls, 8)
	if p == 0 {
		return nil, fmt.Errorf("step budget: out of memory")
	}
	b := &stepBudget{c: c, counter: p, limit: max(1, maxSteps/progressInterval)}
	b.reset()
	sqlite3.Xsqlite3_progress_handler(c.tls, c.db, progressInterval, funcPointer(budgetProgress), p)
	return b, nil
}

// reset gives the next entry its full budget.
func (b *stepBudget) reset() { *(*int64)(ptr(b.counter)) = b.limit }

// suspend stops counting ReSqlite's own work in the entry's budget: it
// returns what is left, for resume to put back.
func (b *stepBudget) suspend() int64 {
	p := (*int64)(ptr(b.counter))
	left := *p
	*p = b.limit
	return left
}

// resume puts back the budget suspend returned.
func (b *stepBudget) resume(left int64) { *(*int64)(ptr(b.counter)) = left }

// exhausted reports whether the budget ran out (so an SQLITE_INTERRUPT
// came from the limit, not from the environment).
func (b *stepBudget) exhausted() bool { return *(*int64)(ptr(b.counter)) <= 0 }

// message describes the limit for the error result.
func (b *stepBudget) message() string {
	return fmt.Sprintf("the entry exceeded its work limit of %d SQLite VM steps", b.limit*progressInterval)
}

// close removes the handler and frees the counter.
func (b *stepBudget) close() {
	sqlite3.Xsqlite3_progress_handler(b.c.tls, b.c.db, 0, 0, 0)
	libc.Xfree(b.c.tls, b.counter)
	b.counter = 0
}

// budgetProgress is SQLite's progress handler: it counts the budget down
// and interrupts the statement when it is spent.
func budgetProgress(_ *libc.TLS, counter uintptr) int32 {
	p := (*int64)(ptr(counter))
	*p--
	if *p <= 0 {
		return 1
	}
	return 0
}

// funcPointer turns a top-level Go function into the function pointer the
// transpiled SQLite calls (the same representation modernc.org/sqlite
// uses for its own callbacks).
func funcPointer[T any](f T) uintptr {
	return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f}))
}

// cancelFlag lets a context cancel the statement running on a read
// connection: a progress handler polls a flag in C memory, so a
// cancellation that arrives before the statement starts is not lost (as an
// early sqlite3_interrupt would be).
type cancelFlag struct {
	c    *conn
	flag uintptr // *int32 in C memory
}

func newCancelFlag(c *conn) (*cancelFlag, error) {
	p := libc.Xmalloc(c.tls, 8)
	if p == 0 {
		return nil, fmt.Errorf("cancel flag: out of memory")
	}
	f := &cancelFlag{c: c, flag: p}
	f.clear()
	sqlite3.Xsqlite3_progress_handler(c.tls, c.db, progressInterval, funcPointer(cancelProgress), p)
	return f, nil
}

// clear readies the flag for the next statement.
func (f *cancelFlag) clear() { atomic.StoreInt32((*int32)(ptr(f.flag)), 0) }

// cancel makes the running (or next) statement stop with SQLITE_INTERRUPT.
// It is safe from any goroutine.
func (f *cancelFlag) cancel() { atomic.StoreInt32((*int32)(ptr(f.flag)), 1) }

func (f *cancelFlag) close() {
	sqlite3.Xsqlite3_progress_handler(f.c.tls, f.c.db, 0, 0, 0)
	libc.Xfree(f.c.tls, f.flag)
	f.flag = 0
}

// cancelProgress is the read connections' progress handler.
func cancelProgress(_ *libc.TLS, flag uintptr) int32 {
	return atomic.LoadInt32((*int32)(ptr(flag)))
}
