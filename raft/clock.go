package raft

import "time"

// Clock is a monotonic clock: Now returns the time elapsed since an
// arbitrary origin fixed when the clock was made. It never goes back, and
// it keeps counting while the process is stalled (a long apply, a GC
// pause, SIGSTOP), which a ticker's tick count does not. The core reads it
// for what safety depends on — how long ago a leader was heard from, how
// long a lease lasts — and nothing else; the simulator injects a virtual
// one.
type Clock interface {
	Now() time.Duration
}

// SystemClock returns a Clock reading the process's monotonic clock.
func SystemClock() Clock { return systemClock{start: time.Now()} }

type systemClock struct{ start time.Time }

// Now uses time.Since, which reads the monotonic clock reading of start.
func (c systemClock) Now() time.Duration { return time.Since(c.start) }
