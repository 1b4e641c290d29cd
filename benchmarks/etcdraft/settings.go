package main

// The configuration both engines get.
const (
	electionTick             = 10
	heartbeatTick            = 1
	maxSizePerMsg            = 1 << 20
	maxInflightMsgs          = 256
	maxCommittedSizePerReady = 16 << 20
)

// defaultWorkload is a server's shape: 100-byte proposals, a snapshot
// and compaction every 10,000 applied entries keeping 5,000 (etcd's own
// server defaults: --snapshot-count and its catch-up entries).
func defaultWorkload(inflight int) workload {
	return workload{inflight: inflight, size: 100, compactEvery: 10000, keep: 5000}
}

// engine names one system under test.
type engine struct {
	name string
	// etcd's raft has no WAL of its own: only ours has a wal variant.
	open func(workload) (cluster, error)
}

// engines lists what compare runs: ours and etcd in memory; with
// single, etcd proposing one entry per step too; with withWAL, ours
// with its WAL.
func engines(single, withWAL bool) []engine {
	es := []engine{
		{"ours", func(w workload) (cluster, error) { return newOurs(w, false) }},
		{"etcd", func(w workload) (cluster, error) { return newEtcd(w, false) }},
	}
	if single {
		es = append(es, engine{"etcd-single", func(w workload) (cluster, error) { return newEtcd(w, true) }})
	}
	if withWAL {
		es = append(es, engine{"ours+wal", func(w workload) (cluster, error) { return newOurs(w, true) }})
	}
	return es
}
