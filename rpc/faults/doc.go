// Package faults is ReSqlite's Jepsen-style fault suite (issue 13): its
// tests start real node processes (children of the test binary, each
// with a durable data directory) behind partitioning TCP proxies, drive
// concurrent clients spread over all nodes with three workloads (per-key
// registers with compare-and-set, an insert-only set, a bank of
// accounts) while a nemesis kills, pauses and partitions nodes, and then
// check the histories: the registers are linearizable at every read
// level that promises it (porcupine), no acknowledged set element is
// lost, duplicated or invented, the bank's total never changes, and once
// healed every node recovers and has the same digest at the same applied
// index. They report, per workload and nemesis, the operations that
// succeeded, ended unknown or failed, the longest gap between successful
// writes and the time from a leader's death to its successor's first
// write.
//
// The package owns the suite and nothing else: it has no non-test code.
// The suite skips under -short; RESQLITE_FAULT_MINUTES, RESQLITE_FAULT_SEED
// and RESQLITE_FAULT_OUT select its long form, replay a run and place a
// failure's artifacts (README, "Fault suite").
package faults
