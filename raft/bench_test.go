package raft

import (
	"testing"
)

// BenchmarkCommit3Nodes measures the core alone: proposals of 100 bytes
// in batches of 16, replicated and committed in a 3-node in-memory
// cluster.
func BenchmarkCommit3Nodes(b *testing.B) {
	nw := newTestNetwork(b, 3, nil)
	nw.elect(1)
	data := make([]byte, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 16 {
		for range 16 {
			nw.propose(1, string(data))
		}
		nw.stabilize()
		if i%1024 == 0 {
			for _, id := range nw.ids {
				nw.nodes[id].applied = nil
			}
		}
	}
	b.StopTimer()
	if nw.nodes[1].core.Committed() < uint64(b.N) {
		b.Fatalf("committed %d of %d", nw.nodes[1].core.Committed(), b.N)
	}
}
