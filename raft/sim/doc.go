// Package sim is a deterministic simulator for ReSqlite's Raft node: the
// core and the production driver around it.
//
// Each simulated server is a raft.Stepper — the step function raft.Node's
// goroutine runs, with the same processReady, apply hand-over, apply
// back-pressure, snapshot install and compaction code — over a simulated
// disk, state machine and network. The simulator is the node's goroutine
// and its raft.Executor: it hands the driver input one batch at a time
// (what arrived while the node was busy goes in one batch, as raft.Node
// drains its channels), and runs the driver's slow work (applying
// entries, syncing, writing and streaming snapshots) at virtual times it
// draws, off the step function, so apply can be slow (Options.SlowApply)
// while heartbeats keep flowing. A write to the log takes a simulated
// fsync: until it completes the node is busy, the messages the driver sent
// after it are held back, and a crash undoes it and every write after it.
// The network can drop, delay, duplicate and reorder messages per link and
// partition the cluster symmetrically or asymmetrically. Nodes crash and
// restart (their state machine optionally losing what was not synced),
// stall (Options.Pauses), run on drifting clocks, snapshot and compact
// their logs, stream snapshots to lagging followers, serve ReadIndex and
// lease reads, hand leadership over, and change membership one server at
// a time. One seeded PRNG drives every decision (each node gets seeds
// derived from it), so a seed replays exactly (TestDeterminism).
//
// After every event the simulator checks Election Safety, Leader
// Append-Only, Log Matching, Leader Completeness and State Machine Safety
// (paper §5.2–§5.4), that term and vote never regress across restarts,
// that nothing leaves a node before the state it depends on is durable,
// that every node applies each committed entry once, in order, with the
// same result, that no read returns state older than a write acknowledged
// before it was requested, that at most one node holds a leader lease at
// any instant, that every configuration changes at most one voter from
// the one before it, that a leader sends heartbeats at least once an
// election timeout, and, while the network is healthy, that the cluster
// is never without a leader for 10 election timeouts and commits a
// proposal placed after healing within 20. The tests also check liveness
// once every fault heals at the end.
//
// Running the tests:
//
//	go test ./raft/sim                       # default seed counts
//	go test -short ./raft/sim                # a few seeds per scenario
//	RESQLITE_SEEDS=3000 go test ./raft/sim   # N seeds per scenario
//	go test ./raft/sim -run '^TestX$' -seed N  # replay a failure
//	RESQLITE_TRACE=300 go test ...           # print the last 300 events of a failure
//	RESQLITE_KNOWN_BUGS=1 go test ...        # also run tests of open core bugs
//
// The package owns the simulation only; its tests hold the scenarios.
package sim
