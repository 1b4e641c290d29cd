package raft

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// testNode is a core with an in-memory store and the entries it applied.
type testNode struct {
	core    *Core
	store   *MemoryStorage
	applied []Entry
	reads   []ReadState
	soft    SoftState
}

// network drives cores synchronously: Ready work is carried out in full
// before messages are delivered, in FIFO order. drop, if set, filters
// messages.
type network struct {
	t     testing.TB
	nodes map[NodeID]*testNode
	ids   []NodeID
	queue []Message
	drop  func(m Message) bool
	sent  []Message
}

func testConfig(id NodeID, peers []NodeID, store Storage) Config {
	var members []Member
	for _, p := range peers {
		members = append(members, Member{ID: p, Addr: "n" + string(rune('0'+p))})
	}
	return Config{
		ID: id, ElectionTick: 10, HeartbeatTick: 1, Storage: store,
		Rand: rand.New(rand.NewPCG(uint64(id), 42)), Peers: members,
		MaxInflightMsgs: 256,
	}
}

func newTestNetwork(t testing.TB, n int, opt func(*Config)) *network {
	nw := &network{t: t, nodes: map[NodeID]*testNode{}}
	var ids []NodeID
	for i := 1; i <= n; i++ {
		ids = append(ids, NodeID(i))
	}
	nw.ids = ids
	for _, id := range ids {
		store := NewMemoryStorage()
		cfg := testConfig(id, ids, store)
		if opt != nil {
			opt(&cfg)
		}
		core, err := NewCore(cfg)
		if err != nil {
			t.Fatalf("NewCore(%d): %v", id, err)
		}
		nw.nodes[id] = &testNode{core: core, store: store}
	}
	return nw
}

// process carries out every pending Ready of node id.
func (nw *network) process(id NodeID) {
	nd := nw.nodes[id]
	for nd.core.HasReady() {
		rd := nd.core.Ready()
		if rd.SoftState != nil {
			nd.soft = *rd.SoftState
		}
		if !rd.Snapshot.IsEmpty() {
			if err := nd.store.ApplySnapshot(rd.Snapshot); err != nil {
				nw.t.Fatalf("node %d: apply snapshot: %v", id, err)
			}
		}
		if err := nd.store.Save(rd.HardState, rd.Entries); err != nil {
			nw.t.Fatalf("node %d: save: %v", id, err)
		}
		nd.applied = append(nd.applied, rd.CommittedEntries...)
		nd.reads = append(nd.reads, rd.ReadStates...)
		for _, m := range rd.Messages {
			nw.sent = append(nw.sent, m)
			if nw.drop != nil && nw.drop(m) {
				continue
			}
			if _, ok := nw.nodes[m.To]; ok {
				nw.queue = append(nw.queue, m)
			}
		}
		nd.core.Advance(rd)
	}
}

// stabilize processes and delivers until nothing is pending.
func (nw *network) stabilize() {
	for range 100000 {
		for _, id := range nw.ids {
			nw.process(id)
		}
		if len(nw.queue) == 0 {
			return
		}
		q := nw.queue
		nw.queue = nil
		for _, m := range q {
			if err := nw.nodes[m.To].core.Step(m); err != nil {
				nw.t.Fatalf("step %v: %v", m.Type, err)
			}
		}
	}
	nw.t.Fatalf("network did not stabilize")
}

// elect makes id campaign and runs the election to completion.
func (nw *network) elect(id NodeID) {
	nw.nodes[id].core.campaign(campaignElection)
	nw.stabilize()
	if r := nw.nodes[id].core.Role(); r != RoleLeader {
		nw.t.Fatalf("node %d is %v after campaigning, want leader", id, r)
	}
}

// tickAll ticks every node n times, stabilizing after each tick.
func (nw *network) tickAll(n int) {
	for range n {
		for _, id := range nw.ids {
			nw.nodes[id].core.Tick()
		}
		nw.stabilize()
	}
}

func (nw *network) leader() NodeID {
	var lead NodeID
	for _, id := range nw.ids {
		if nw.nodes[id].core.Role() == RoleLeader {
			if lead != None {
				nw.t.Fatalf("two leaders: %d and %d", lead, id)
			}
			lead = id
		}
	}
	return lead
}

func (nw *network) propose(id NodeID, data string) uint64 {
	idx, _, err := nw.nodes[id].core.Propose([]byte(data))
	if err != nil {
		nw.t.Fatalf("propose on %d: %v", id, err)
	}
	return idx
}

func (nw *network) isolate(id NodeID) {
	nw.drop = func(m Message) bool { return m.To == id || m.From == id }
}

func (nw *network) heal() { nw.drop = nil }

func payloads(ents []Entry) []string {
	var out []string
	for _, e := range ents {
		if e.Type == EntryNormal {
			out = append(out, string(e.Data))
		}
	}
	return out
}

func (nw *network) checkApplied(want ...string) {
	nw.t.Helper()
	for _, id := range nw.ids {
		if got := payloads(nw.nodes[id].applied); !slices.Equal(got, want) {
			nw.t.Fatalf("node %d applied %q, want %q", id, got, want)
		}
	}
}
