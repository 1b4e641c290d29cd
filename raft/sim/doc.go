// Package sim is a deterministic simulator for ReSqlite's Raft core.
//
// It runs N cores (package raft) on a virtual clock, each behind a small
// node driver that follows the core's Ready/Advance contract, and connects
// them through a simulated network that can drop, delay, duplicate and
// reorder messages per link and partition the cluster symmetrically or
// asymmetrically. Nodes crash and restart, losing everything their driver
// had not yet made durable. One seeded PRNG drives every decision (each
// core gets its own source derived from it), so a seed replays exactly.
//
// After every event the simulator checks the Raft safety properties
// (Election Safety, Leader Append-Only, Log Matching, Leader Completeness,
// State Machine Safety), that term and vote never regress across restarts,
// and that the driver contract holds (nothing leaves a node before the
// state it depends on is durable). Liveness is checked by the tests once
// faults heal.
//
// The package owns the simulation only; its tests hold the scenarios.
package sim
