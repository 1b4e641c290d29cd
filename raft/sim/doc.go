// Package sim is a deterministic simulator for ReSqlite's Raft core.
//
// It runs N cores (package raft) on a virtual clock, each behind a small
// node driver that follows the core's Ready/Advance contract (persist,
// then send — the leader's messages sometimes before the fsync, as
// Ready.MaySendBeforePersist allows —, apply, hand out read states,
// Advance; input either queued while a Ready is persisted or handed to the
// core at once), and connects them through a simulated network that can
// drop, delay, duplicate and reorder messages per link and partition the
// cluster symmetrically or asymmetrically. Nodes crash and restart,
// losing the Ready whose fsync was in flight, sometimes a lazily written
// commit index, and optionally their state machine (then restored from
// their snapshot). Nodes snapshot and compact their logs, stream
// snapshots to lagging followers, serve ReadIndex and lease reads, hand
// leadership over, and change membership one server at a time. One
// seeded PRNG drives every decision (each core gets its own source
// derived from it), so a seed replays exactly.
//
// After every event the simulator checks Election Safety, Leader
// Append-Only, Log Matching, Leader Completeness and State Machine Safety
// (paper §5.2–§5.4), that term and vote never regress across restarts,
// that nothing leaves a node before the state it depends on is durable,
// that no read returns state older than a write acknowledged before it was
// requested, that at most one node holds a leader lease at any instant,
// and that every configuration changes at most one voter from the one
// before it. The tests check liveness once faults heal.
//
// Running the tests:
//
//	go test ./raft/sim                       # default seed counts
//	go test -short ./raft/sim                # a few seeds per scenario
//	RESQLITE_SEEDS=2000 go test ./raft/sim   # N seeds per scenario
//	go test ./raft/sim -run '^TestX$' -seed N  # replay a failure
//	RESQLITE_TRACE=300 go test ...           # print the last 300 events of a failure
//	RESQLITE_KNOWN_BUGS=1 go test ...        # also run tests of open core bugs
//
// The package owns the simulation only; its tests hold the scenarios.
package sim
