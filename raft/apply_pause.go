package raft

// PauseApply stops (paused true) or resumes handing committed entries
// out in Ready.CommittedEntries. Everything else — messages, heartbeats,
// votes, entries to persist, the commit index — keeps flowing. A driver
// that applies entries on another goroutine pauses while its backlog of
// handed-out, unapplied entries is full, and while it waits for that
// backlog to drain before it installs a snapshot.
func (c *Core) PauseApply(paused bool) { c.log.applyPaused = paused }
