package raft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// logMachine is a test state machine that records the data of the normal
// entries it applies, in order; each result is the entry's position.
type logMachine struct {
	mu      sync.Mutex
	applied uint64
	data    []string
}

func (m *logMachine) Apply(ents []Entry) ([]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]any, len(ents))
	for i, e := range ents {
		if e.Index != m.applied+1 {
			return nil, fmt.Errorf("apply %d after %d", e.Index, m.applied)
		}
		m.applied = e.Index
		if e.Type == EntryNormal {
			m.data = append(m.data, string(e.Data))
			out[i] = len(m.data)
		}
	}
	return out, nil
}

func (m *logMachine) AppliedIndex() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.applied
}

type logMachineState struct {
	Applied uint64
	Data    []string
}

func (m *logMachine) Snapshot(w io.Writer) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.applied, json.NewEncoder(w).Encode(logMachineState{m.applied, m.data})
}

func (m *logMachine) Restore(r io.Reader) error {
	var s logMachineState
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.applied, m.data = s.Applied, s.Data
	return nil
}

func (m *logMachine) snapshot() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.data...)
}

// memNet connects nodes in memory: a message goes straight into the
// receiver's inbox, or is dropped when the receiver is down or busy.
type memNet struct {
	mu    sync.Mutex
	nodes map[NodeID]*Node
	trace func(Message)
	// drop, when set, loses the messages it returns true for.
	drop func(Message) bool
}

type memTransport struct {
	net  *memNet
	from NodeID
}

func (t memTransport) Send(msgs []Message) {
	t.net.mu.Lock()
	defer t.net.mu.Unlock()
	for _, m := range msgs {
		if t.net.trace != nil {
			t.net.trace(m)
		}
		if t.net.drop != nil && t.net.drop(m) {
			continue
		}
		if n := t.net.nodes[m.To]; n != nil {
			select {
			case n.recvc <- m:
				continue
			default:
			}
		}
		if from := t.net.nodes[t.from]; from != nil {
			from.ReportUnreachable(m.To)
		}
	}
}

func (t memTransport) SendSnapshot(ctx context.Context, m Message, data io.Reader) error {
	t.net.mu.Lock()
	n := t.net.nodes[m.To]
	t.net.mu.Unlock()
	if n == nil {
		return errors.New("peer down")
	}
	return n.ReceiveSnapshot(ctx, m, data)
}

func (memTransport) SetMembers(Configuration) {}

func (memTransport) SetCommittedConfiguration(uint64, Configuration) {}

// memCluster is a set of nodes on a memNet whose storage and state machine
// survive a stop, as durable ones would.
type memCluster struct {
	t       *testing.T
	net     *memNet
	peers   []Member
	stores  map[NodeID]*MemoryStorage
	sms     map[NodeID]*logMachine
	tweak   func(*NodeConfig)
	started map[NodeID]*Node
}

func newMemCluster(t *testing.T, size int, tweak func(*NodeConfig)) *memCluster {
	c := &memCluster{t: t, net: &memNet{nodes: map[NodeID]*Node{}}, stores: map[NodeID]*MemoryStorage{},
		sms: map[NodeID]*logMachine{}, tweak: tweak, started: map[NodeID]*Node{}}
	for i := 1; i <= size; i++ {
		c.peers = append(c.peers, Member{ID: NodeID(i), Addr: fmt.Sprintf("mem-%d", i)})
	}
	for _, p := range c.peers {
		c.stores[p.ID], c.sms[p.ID] = NewMemoryStorage(), &logMachine{}
		c.start(p.ID)
	}
	t.Cleanup(func() {
		for id := range c.started {
			c.stop(id)
		}
	})
	return c
}

func (c *memCluster) start(id NodeID) *Node {
	cfg := NodeConfig{ID: id, Bootstrap: c.peers, Storage: c.stores[id], StateMachine: c.sms[id],
		Transport: memTransport{c.net, id}, TickInterval: 10 * time.Millisecond}
	if c.tweak != nil {
		c.tweak(&cfg)
	}
	n, err := StartNode(cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	c.net.mu.Lock()
	c.net.nodes[id] = n
	c.net.mu.Unlock()
	c.started[id] = n
	return n
}

func (c *memCluster) stop(id NodeID) {
	c.net.mu.Lock()
	delete(c.net.nodes, id)
	c.net.mu.Unlock()
	n := c.started[id]
	delete(c.started, id)
	if n != nil {
		n.Stop()
	}
}

func (c *memCluster) leader() *Node {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, n := range c.started {
			if n.IsLeader() {
				return n
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.t.Fatal("no leader within 20s")
	return nil
}

// proposeAll proposes each datum at the current leader, retrying on
// leader changes, and waits for all to apply.
func (c *memCluster) proposeAll(data []string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, d := range data {
		for {
			f, err := c.leader().Propose(ctx, []byte(d))
			if err == nil {
				if _, err = f.Wait(ctx); err == nil {
					break
				}
			}
			if ctx.Err() != nil {
				c.t.Fatalf("propose %q: %v", d, err)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// waitConverged waits until every started node applied exactly want.
func (c *memCluster) waitConverged(want []string) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for id := range c.started {
		for {
			got := c.sms[id].snapshot()
			if fmt.Sprint(got) == fmt.Sprint(want) {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("node %d applied %d entries %v..., want %d", id, len(got), got[:min(len(got), 5)], len(want))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func TestNodeReplicatesSurvivesLeaderStopAndCatchesUp(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 3, nil)
	want := seq("a", 50)
	c.proposeAll(want)
	c.waitConverged(want)

	old := c.leader().ID()
	c.stop(old)
	more := seq("b", 50)
	c.proposeAll(more)
	want = append(want, more...)
	if c.leader().ID() == old {
		t.Fatal("stopped node still leads")
	}
	c.start(old)
	c.waitConverged(want)
	for id := range c.started {
		c.stop(id)
	}
}

func TestNodeFutureResult(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := c.leader()
	var last uint64
	for i := 1; i <= 3; i++ {
		f, err := l.Propose(ctx, []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Index != f.Index() || res.Index <= last || res.Value != i {
			t.Fatalf("proposal %d: result %+v, future index %d", i, res, f.Index())
		}
		last = res.Index
	}
	idx, err := l.ReadIndex(ctx)
	if err != nil || idx < last {
		t.Fatalf("ReadIndex = %d, %v; want >= %d", idx, err, last)
	}
	c.stop(1)
	if _, err := l.Propose(ctx, []byte("y")); !errors.Is(err, ErrStopped) {
		t.Fatalf("Propose after Stop: %v", err)
	}
}

func TestNodeFollowerRefusesProposalsAndLeaderLossResolvesFutures(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 3, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := c.leader()
	for id, n := range c.started {
		if id == l.ID() {
			continue
		}
		_, err := n.Propose(ctx, []byte("x"))
		var nle *NotLeaderError
		if !errors.As(err, &nle) || !errors.Is(err, ErrProposalDropped) {
			t.Fatalf("follower Propose: %v", err)
		}
	}
	// Cut the leader off: its proposal cannot commit, and when it steps
	// down (CheckQuorum) the future reports an unknown outcome.
	c.net.mu.Lock()
	for id := range c.net.nodes {
		if id != l.ID() {
			delete(c.net.nodes, id)
		}
	}
	c.net.mu.Unlock()
	f, err := l.Propose(ctx, []byte("lost"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Wait(ctx); !errors.Is(err, ErrLeadershipLost) {
		t.Fatalf("isolated leader's proposal: %v", err)
	}
	for id := range c.started {
		c.stop(id)
	}
}

func TestNodeSnapshotCatchUp(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 3, func(cfg *NodeConfig) {
		cfg.SnapshotEntries, cfg.CompactionMargin = 20, 5
		if testing.Verbose() {
			cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	})
	c.proposeAll(seq("a", 10))
	l := c.leader()
	var down NodeID
	for id := range c.started {
		if id != l.ID() {
			down = id
			break
		}
	}
	c.stop(down)
	t.Logf("leader %d, stopped %d", l.ID(), down)
	if testing.Verbose() {
		c.net.mu.Lock()
		c.net.trace = func(m Message) {
			if m.To == down || m.From == down {
				t.Logf("%v %d->%d term %d index %d logterm %d commit %d reject %v hint %d ents %d", m.Type, m.From, m.To, m.Term, m.Index, m.LogTerm, m.Commit, m.Reject, m.RejectHint, len(m.Entries))
			}
		}
		c.net.mu.Unlock()
	}
	want := append(seq("a", 10), seq("b", 100)...)
	c.proposeAll(want[10:])
	// Replace the stopped node's storage and state machine? No: it keeps
	// them; the leader compacted past its log, so it needs a snapshot.
	first, _ := c.stores[l.ID()].FirstIndex()
	if last, _ := c.stores[down].LastIndex(); first <= last+1 {
		t.Fatalf("leader did not compact past the follower: first %d, follower last %d", first, last)
	}
	c.start(down)
	c.waitConverged(want)
	for id := range c.started {
		c.stop(id)
	}
}

func TestNodeReadIndexOnAnIsolatedNodeFailsWithinItsDeadline(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 3, nil)
	c.proposeAll(seq("a", 5))
	l := c.leader()
	var f *Node
	for id, n := range c.started {
		if id != l.ID() {
			f = n
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	idx, err := f.ReadIndex(ctx)
	cancel()
	if err != nil || idx < 6 {
		t.Fatalf("follower ReadIndex = %d, %v", idx, err)
	}
	// Cut the follower off: it must not answer from what it has.
	c.net.mu.Lock()
	for id := range c.net.nodes {
		if id != f.ID() {
			delete(c.net.nodes, id)
		}
	}
	c.net.mu.Unlock()
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	if idx, err := f.ReadIndex(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("isolated follower ReadIndex = %d, %v; want a deadline error", idx, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("ReadIndex took %v past its 1s deadline", d)
	}
	for id := range c.started {
		c.stop(id)
	}
}

// TestNodeLinearizableReadOnALeasedLeaderNeedsAQuorum: with leases on, a
// leader cut off from its quorum refuses a linearizable read (it waits
// for a heartbeat round that cannot complete) even while its lease, still
// valid, answers a lease read at once.
func TestNodeLinearizableReadOnALeasedLeaderNeedsAQuorum(t *testing.T) {
	defer goleak.VerifyNone(t)
	// A long election timeout (2 s) keeps the lease valid well past the
	// linearizable read's deadline, even on a loaded machine.
	c := newMemCluster(t, 3, func(cfg *NodeConfig) {
		cfg.LeaseRead = true
		cfg.ElectionTicks = 200
	})
	c.proposeAll(seq("a", 5))
	l := c.leader()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	want, err := l.ReadIndex(ctx)
	if err != nil {
		t.Fatalf("healthy leader ReadIndex: %v", err)
	}
	// Cut every link: nothing reaches any node any more.
	c.net.mu.Lock()
	clear(c.net.nodes)
	c.net.mu.Unlock()
	rctx, rcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	idx, err := l.ReadIndex(rctx)
	rcancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cut-off leader's linearizable ReadIndex = %d, %v; want a deadline error", idx, err)
	}
	st, err := l.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Role != RoleLeader || !st.LeaseValid {
		t.Fatalf("leader lost its lease during the read (role %v, lease %v): the test proves nothing; machine too slow?", st.Role, st.LeaseValid)
	}
	rctx, rcancel = context.WithTimeout(ctx, 300*time.Millisecond)
	idx, err = l.ReadIndexLease(rctx)
	rcancel()
	if err != nil || idx < want {
		t.Fatalf("leased leader's ReadIndexLease = %d, %v; want >= %d at once", idx, err, want)
	}
	for id := range c.started {
		c.stop(id)
	}
}

// TestNodeStatusLastContact: the leader's status says how long ago each
// peer was heard from; a stopped peer's last contact grows from the
// moment it stopped, while the live one keeps answering heartbeats.
func TestNodeStatusLastContact(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 3, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := c.leader()
	var down, up NodeID
	for id := range c.started {
		if id != l.ID() {
			if down == None {
				down = id
			} else {
				up = id
			}
		}
	}
	c.stop(down)
	// Wait until the stopped peer was last heard 500ms (50 ticks: many
	// heartbeats) ago: its last contact must grow while the live peer's
	// keeps being refreshed.
	deadline := time.Now().Add(10 * time.Second)
	st, err := l.Status(ctx)
	for ; err == nil && st.LastContact[down] < 500*time.Millisecond; st, err = l.Status(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("stopped peer %d not last heard 500ms ago within 10s of its stop: %v", down, st.LastContact)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	dDown := st.LastContact[down]
	if _, ok := st.LastContact[l.ID()]; ok {
		t.Errorf("the leader lists itself in LastContact: %v", st.LastContact)
	}
	if d, ok := st.LastContact[up]; !ok || d >= dDown {
		t.Errorf("live peer %d last heard %v ago (known %v), want more recently than the stopped one (%v)", up, d, ok, dDown)
	}
	for id := range c.started {
		c.stop(id)
	}
}

// syncingMachine is a logMachine that records the applied index at its
// last Sync.
type syncingMachine struct {
	*logMachine
	synced atomic.Uint64
}

func (m *syncingMachine) Sync() error {
	m.synced.Store(m.AppliedIndex())
	return nil
}

// compactWatcher fails the test if the log is compacted past what the
// state machine had synced.
type compactWatcher struct {
	*MemoryStorage
	t         *testing.T
	sm        *syncingMachine
	compacted atomic.Uint64
}

func (s *compactWatcher) Compact(index uint64) error {
	if synced := s.sm.synced.Load(); synced+1 < index {
		s.t.Errorf("log compacted before %d while the state machine was synced only to %d", index, synced)
	}
	s.compacted.Store(index)
	return s.MemoryStorage.Compact(index)
}

// TestNodeSyncsStateMachineBeforeCompacting: a state machine that is a
// Syncer is synced before the log behind its applied index is discarded.
func TestNodeSyncsStateMachineBeforeCompacting(t *testing.T) {
	defer goleak.VerifyNone(t)
	var watcher *compactWatcher
	c := newMemCluster(t, 1, func(cfg *NodeConfig) {
		sm := &syncingMachine{logMachine: cfg.StateMachine.(*logMachine)}
		watcher = &compactWatcher{MemoryStorage: cfg.Storage.(*MemoryStorage), t: t, sm: sm}
		cfg.StateMachine, cfg.Storage = sm, watcher
		cfg.SnapshotEntries, cfg.CompactionMargin = 5, 1
	})
	c.proposeAll(seq("s", 40))
	if watcher.compacted.Load() == 0 {
		t.Fatal("the log was never compacted")
	}
	c.stop(1)
}
