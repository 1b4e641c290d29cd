package raft

import "testing"

// A core whose driver limits the hand-out to n entries gives at most n
// committed entries per Ready, even when many committed at once, and
// every committed entry still comes out, in order, over later Readys.
func TestLimitApplyBoundsCommittedEntriesPerReady(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	lead := nw.nodes[1]
	lead.applied = nil
	const limit = 3
	lead.core.LimitApply(limit)
	for range 10 {
		nw.propose(1, "x")
	}
	// Deliver until every proposal is committed, counting what each of
	// the leader's Readys hands out.
	for range 1000 {
		for _, id := range nw.ids {
			if id == 1 {
				continue
			}
			nw.process(id)
		}
		for lead.core.HasReady() {
			rd := lead.core.Ready()
			if n := len(rd.CommittedEntries); n > limit {
				t.Fatalf("a Ready handed out %d committed entries, limit %d", n, limit)
			}
			if err := lead.store.Save(rd.HardState, rd.Entries); err != nil {
				t.Fatal(err)
			}
			lead.applied = append(lead.applied, rd.CommittedEntries...)
			nw.queue = append(nw.queue, rd.Messages...)
			lead.core.Advance(rd)
		}
		if !nw.deliver() {
			break
		}
	}
	var data []Entry
	for _, e := range lead.applied {
		if len(e.Data) > 0 {
			data = append(data, e)
		}
	}
	if len(data) != 10 {
		t.Fatalf("handed out %d proposals, want 10", len(data))
	}
	for i := 1; i < len(lead.applied); i++ {
		if lead.applied[i].Index != lead.applied[i-1].Index+1 {
			t.Fatalf("hand-out not in order: %d after %d", lead.applied[i].Index, lead.applied[i-1].Index)
		}
	}
}
