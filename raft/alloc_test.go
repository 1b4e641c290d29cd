package raft

import (
	"slices"
	"testing"
)

// allocCluster is a 3-node cluster driven with reused buffers, so that
// testing.AllocsPerRun counts the core's and MemoryStorage's allocations
// only.
type allocCluster struct {
	t      *testing.T
	nw     *network
	in, nx []Message
}

func newAllocCluster(t *testing.T) *allocCluster {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	return &allocCluster{t: t, nw: nw, in: make([]Message, 0, 64), nx: make([]Message, 0, 64)}
}

// commitOne proposes one entry and runs Readys and deliveries until every
// node has applied it.
func (c *allocCluster) commitOne(data []byte) {
	lead := c.nw.nodes[1].core
	if _, _, err := lead.Propose(data); err != nil {
		c.t.Fatal(err)
	}
	for range 20 {
		for _, id := range c.nw.ids {
			nd := c.nw.nodes[id]
			for nd.core.HasReady() {
				rd := nd.core.Ready()
				if err := nd.store.Save(rd.HardState, rd.Entries); err != nil {
					c.t.Fatal(err)
				}
				c.nx = append(c.nx, rd.Messages...)
				nd.core.Advance(rd)
			}
		}
		if len(c.nx) == 0 {
			return
		}
		c.in, c.nx = c.nx, c.in[:0]
		for _, m := range c.in {
			if err := c.nw.nodes[m.To].core.Step(m); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	c.t.Fatal("did not settle")
}

// TestCommitAllocations bounds the allocations of committing one entry at
// a time on three nodes (every Ready carrying one or two messages): the
// core sizes its message slice like the last one handed out instead of
// growing it from nothing, appends entries into spare capacity of its
// unstable array, and allocates a SoftState only when it changes, and
// MemoryStorage.Entries hands out committed entries without a copy. What
// remains is the message slice of each Ready and the storage's chunks.
// (It was 20 before those changes.)
func TestCommitAllocations(t *testing.T) {
	c := newAllocCluster(t)
	data := make([]byte, 100)
	for range 300 { // past the first unstable arrays and chunks
		c.commitOne(data)
	}
	got := testing.AllocsPerRun(1000, func() { c.commitOne(data) })
	t.Logf("%v allocations per committed entry", got)
	if got > 6 {
		t.Errorf("committing one entry on 3 nodes: %v allocations, want at most 6", got)
	}
}

// TestHandedOutEntriesStayIntact checks that the entries a Ready or a
// MsgApp hands out have no spare capacity and are never written to once
// the core appends more in place: a driver may hold them (a transport
// queue, an asynchronous write) after Advance.
func TestHandedOutEntriesStayIntact(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	lead := nw.nodes[1]
	var held [][]Entry
	for i := range 40 {
		if _, _, err := lead.core.Propose([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		rd := lead.core.Ready()
		lists := [][]Entry{rd.Entries}
		for _, m := range rd.Messages {
			lists = append(lists, m.Entries)
		}
		for _, ents := range lists {
			if len(ents) > 0 && cap(ents) != len(ents) {
				t.Fatalf("proposal %d: entries handed out with capacity %d beyond length %d", i, cap(ents), len(ents))
			}
			held = append(held, ents, slices.Clone(ents))
			// A careless holder appending must not reach the core's log.
			_ = append(ents, Entry{Index: 999, Data: []byte("clobber")})
		}
		if err := lead.store.Save(rd.HardState, rd.Entries); err != nil {
			t.Fatal(err)
		}
		nw.queue = append(nw.queue, rd.Messages...)
		lead.core.Advance(rd)
	}
	for i := 0; i < len(held); i += 2 {
		if !slices.EqualFunc(held[i], held[i+1], func(a, b Entry) bool {
			return a.Index == b.Index && a.Term == b.Term && string(a.Data) == string(b.Data)
		}) {
			t.Fatalf("handed-out entries changed: %v, was %v", held[i], held[i+1])
		}
	}
	nw.stabilize()
	for _, id := range nw.ids {
		got := nw.nodes[id].applied
		if n := len(got); n == 0 || string(got[n-1].Data) != string([]byte{39}) {
			t.Fatalf("node %d applied %v, want the 40 proposals last", id, got)
		}
	}
}
