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
	// snapData is the state (applied entries) of the node's snapshot;
	// incoming is what the transport received with a MsgSnap.
	snapData []Entry
	incoming []Entry
	founder  bool
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
	// founders are the ids of the bootstrap configuration.
	founders []NodeID
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
	nw.founders = ids
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
		nw.nodes[id] = &testNode{core: core, store: store, founder: true}
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
			if n := len(nd.incoming); n == 0 || nd.incoming[n-1].Index != rd.Snapshot.Index {
				nw.t.Fatalf("node %d: snapshot %d to install, data for %v", id, rd.Snapshot.Index, nd.incoming)
			}
			nd.applied = append([]Entry(nil), nd.incoming...)
			nd.snapData = nd.applied
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
			if to, ok := nw.nodes[m.To]; ok {
				if m.Type == MsgSnap {
					to.incoming = nd.snapData
					nd.core.ReportSnapshot(m.To, false)
				}
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
		if !nw.deliver() {
			return
		}
	}
	nw.t.Fatalf("network did not stabilize")
}

// deliver steps every queued message at its receiver; it reports whether
// there were any.
func (nw *network) deliver() bool {
	q := nw.queue
	nw.queue = nil
	for _, m := range q {
		if err := nw.nodes[m.To].core.Step(m); err != nil {
			nw.t.Fatalf("step %v: %v", m.Type, err)
		}
	}
	return len(q) > 0
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

// newTestCore builds a core with peers 1..n over store (a fresh one if
// nil).
func newTestCore(t testing.TB, id NodeID, peers []NodeID, store *MemoryStorage, opt func(*Config)) *Core {
	t.Helper()
	if store == nil {
		store = NewMemoryStorage()
	}
	cfg := testConfig(id, peers, store)
	if opt != nil {
		opt(&cfg)
	}
	c, err := NewCore(cfg)
	if err != nil {
		t.Fatalf("NewCore: %v", err)
	}
	return c
}

func ids(n int) []NodeID {
	var out []NodeID
	for i := 1; i <= n; i++ {
		out = append(out, NodeID(i))
	}
	return out
}

// readMsgs returns and clears the messages the core wants sent, flushing
// deferred replication as Ready would.
func readMsgs(c *Core) []Message {
	c.flush()
	m := c.msgs
	c.msgs = nil
	return m
}

// persistAll makes everything pending durable in store, as a driver
// would, and advances the core; it returns the messages.
func persistAll(t testing.TB, c *Core, store *MemoryStorage) []Message {
	t.Helper()
	var msgs []Message
	for c.HasReady() {
		rd := c.Ready()
		if !rd.Snapshot.IsEmpty() {
			if err := store.ApplySnapshot(rd.Snapshot); err != nil {
				t.Fatal(err)
			}
		}
		if err := store.Save(rd.HardState, rd.Entries); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, rd.Messages...)
		c.Advance(rd)
	}
	return msgs
}

// storeWith returns a store holding entries with the given terms at
// indexes 1.. and hard state hs.
func storeWith(t testing.TB, hs HardState, terms ...uint64) *MemoryStorage {
	t.Helper()
	s := NewMemoryStorage()
	var ents []Entry
	for i, term := range terms {
		ents = append(ents, Entry{Index: uint64(i + 1), Term: term})
	}
	if err := s.Save(hs, ents); err != nil {
		t.Fatal(err)
	}
	return s
}

func filterMsgs(msgs []Message, typ MessageType) []Message {
	var out []Message
	for _, m := range msgs {
		if m.Type == typ {
			out = append(out, m)
		}
	}
	return out
}

func mustStep(t testing.TB, c *Core, m Message) {
	t.Helper()
	if m.To == None {
		m.To = c.id
	}
	if err := c.Step(m); err != nil {
		t.Fatalf("step %v: %v", m.Type, err)
	}
}

// becomeLeaderNow makes c leader of term (via a won election) and
// persists, returning the messages it would send.
func becomeLeaderNow(t testing.TB, c *Core, store *MemoryStorage) []Message {
	t.Helper()
	c.campaign(campaignElection)
	for _, id := range c.voterIDs {
		if id != c.id {
			mustStep(t, c, Message{Type: MsgVoteResp, From: id, Term: c.term})
		}
	}
	if c.role != RoleLeader {
		t.Fatalf("not leader after winning votes: %v", c.role)
	}
	return persistAll(t, c, store)
}

// snapshot takes a snapshot of node id at its applied index and compacts
// its log, keeping tail entries.
func (nw *network) snapshot(id NodeID, tail uint64) SnapshotMeta {
	nw.t.Helper()
	nd := nw.nodes[id]
	meta, err := nd.core.SnapshotMeta(nd.core.Applied())
	if err != nil {
		nw.t.Fatal(err)
	}
	if err := nd.store.CreateSnapshot(meta); err != nil {
		nw.t.Fatal(err)
	}
	nd.snapData = append([]Entry(nil), nd.applied...)
	if meta.Index+1 > tail {
		if err := nd.store.Compact(meta.Index + 1 - tail); err != nil {
			nw.t.Fatal(err)
		}
	}
	return meta
}

// restart rebuilds node id's core from its store, as after a crash.
func (nw *network) restart(id NodeID, opt func(*Config)) {
	nw.t.Helper()
	nd := nw.nodes[id]
	applied := uint64(0)
	if n := len(nd.applied); n > 0 {
		applied = nd.applied[n-1].Index
	}
	// Founding members pass the bootstrap list on every start; it is used
	// only while the storage holds no configuration.
	var peers []NodeID
	if nd.founder {
		peers = nw.founders
	}
	cfg := testConfig(id, peers, nd.store)
	cfg.Applied = applied
	if opt != nil {
		opt(&cfg)
	}
	c, err := NewCore(cfg)
	if err != nil {
		nw.t.Fatalf("restart %d: %v", id, err)
	}
	nd.core = c
}
