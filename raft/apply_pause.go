package raft

// PauseApply stops (paused true) or resumes handing committed entries
// out in Ready.CommittedEntries. Everything else — messages, heartbeats,
// votes, entries to persist, the commit index — keeps flowing. A driver
// that applies entries on another goroutine pauses while its backlog of
// handed-out, unapplied entries is full, and while it waits for that
// backlog to drain before it installs a snapshot.
func (c *Core) PauseApply(paused bool) { c.log.applyPaused = paused }

// LimitApply bounds how many committed entries the next Ready hands out
// to n (0: no bound), so that a driver's backlog of handed-out, unapplied
// entries stays within its own bound even when one Ready would commit
// many entries at once (a follower stepping a burst of appends).
func (c *Core) LimitApply(n uint64) { c.log.applyLimit = n }
