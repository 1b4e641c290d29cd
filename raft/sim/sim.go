package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// Options configure a simulation. Zero fields take the defaults noted.
type Options struct {
	// Nodes is the number of servers (default 3).
	Nodes int
	// Voters is how many of them (ids 1..Voters) found the cluster as
	// voters (default: all). The others start empty, outside the
	// configuration, and join only when a membership change adds them.
	Voters int
	// Seed seeds the one PRNG every decision is drawn from.
	Seed uint64
	// TickInterval is the virtual time between two ticks of a node's
	// clock (default 10 ms).
	TickInterval time.Duration
	// ElectionTicks and HeartbeatTicks configure the cores (defaults 50
	// and 12: a 500 ms base election timeout, randomized up to 1 s, and a
	// heartbeat every 120 ms, under the labs' 10 per second).
	ElectionTicks, HeartbeatTicks int
	// PreVote and CheckQuorum switch those core features on.
	PreVote, CheckQuorum bool
	// MaxSizePerMsg and MaxInflightMsgs bound replication messages
	// (defaults 4096 bytes and 16).
	MaxSizePerMsg   uint64
	MaxInflightMsgs int
	// MaxFsyncDelay bounds the simulated latency of persisting a Ready
	// (default 2 ms). A crash before it completes loses the Ready.
	MaxFsyncDelay time.Duration
	// LeaseRead lets leaders answer reads from their lease (needs
	// CheckQuorum).
	LeaseRead bool
	// SnapshotEvery makes every node snapshot its state machine each time
	// it has applied that many entries past its last snapshot (0: never),
	// keeping SnapshotTail entries of log before the snapshot.
	SnapshotEvery, SnapshotTail int
	// VolatileStateMachine makes a crash lose the state machine: the node
	// restarts from its last snapshot and the core re-delivers the
	// committed entries after it (as the labs' services do). Without it the
	// state machine is durable, as ReSqlite's SQLite one is.
	VolatileStateMachine bool
	// StateMachineLosesTail makes a crash roll a durable state machine
	// back by up to three applied entries (never below its snapshot), as
	// SQLite with synchronous=NORMAL may after a power loss; the core
	// re-delivers them after the restart.
	StateMachineLosesTail bool
	// SlowApply makes one piece of apply work in 200 take up to three
	// election timeouts (a heavy entry, a checkpoint): the driver applies
	// off its step function, so heartbeats and votes must keep flowing,
	// and the checker requires every leader to send heartbeats at least
	// once an election timeout meanwhile.
	SlowApply bool
	// MaxApplyBacklog bounds the committed entries handed to apply work
	// and not yet applied (raft.NodeConfig.MaxApplyBacklogEntries;
	// default the driver's).
	MaxApplyBacklog int
	// Pauses makes nodes stall now and then, as a long apply, a GC pause
	// or SIGSTOP stalls a process: for up to two election timeouts a node
	// takes in nothing (its ticks are dropped, as a time.Ticker drops
	// them; messages wait), while its monotonic clock keeps running.
	Pauses bool
	// EagerCommit switches on raft.Config.EagerCommit.
	EagerCommit bool
	// ClockDrift makes each node's clock run at a rate drawn uniformly
	// within ±ClockDrift of the nominal one (e.g. 0.04 for ±4%).
	ClockDrift float64
	// Trace records every event as text (see Sim.Trace).
	Trace bool

	// mutation breaks the driver on purpose, so that tests can show the
	// checker catches what it claims to (see checker_test.go).
	mutation mutation
}

// mutation is a deliberate driver bug.
type mutation uint8

const (
	mutNone mutation = iota
	// mutSkipHardState never persists HardState: votes and terms are
	// announced without being durable.
	mutSkipHardState
	// mutLoseTail makes a crash lose the last few log entries that were
	// reported durable, and the commit index with them (an fsync that
	// lied). It needs VolatileStateMachine and no snapshots.
	mutLoseTail
	// mutSendUnsynced lets messages leave while a write's fsync is in
	// flight (a driver that sends before its writes are durable).
	mutSendUnsynced
	// mutApplyBlocks stalls the node while it applies (with SlowApply),
	// as a driver that applies on its step function does.
	mutApplyBlocks
)

func (o *Options) setDefaults() {
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Voters == 0 || o.Voters > o.Nodes {
		o.Voters = o.Nodes
	}
	if o.TickInterval == 0 {
		o.TickInterval = 10 * time.Millisecond
	}
	if o.ElectionTicks == 0 {
		o.ElectionTicks = 50
	}
	if o.HeartbeatTicks == 0 {
		o.HeartbeatTicks = 12
	}
	if o.MaxSizePerMsg == 0 {
		o.MaxSizePerMsg = 4096
	}
	if o.MaxInflightMsgs == 0 {
		o.MaxInflightMsgs = 16
	}
	if o.MaxFsyncDelay == 0 {
		o.MaxFsyncDelay = 2 * time.Millisecond
	}
}

// electionTimeout is the cores' base election timeout.
func (o Options) electionTimeout() time.Duration {
	return time.Duration(o.ElectionTicks) * o.TickInterval
}

// Placement is where a proposal landed in a leader's log.
type Placement struct {
	Index, Term uint64
	Leader      raft.NodeID
}

// Sim is one simulated cluster. It is single-threaded and deterministic:
// the same Options always produce the same run.
type Sim struct {
	opts   Options
	rng    *rand.Rand
	clk    clock
	net    *network
	nodes  []*node
	chk    *checker
	err    error
	trace  []string
	placed map[string]Placement
	// peers is the bootstrap configuration every founding node starts with.
	peers []raft.Member
	reads int // read requests issued, for unique contexts
}

// New builds a cluster of opts.Nodes nodes, all up and connected.
func New(opts Options) (*Sim, error) {
	opts.setDefaults()
	if opts.Nodes < 1 || opts.Nodes > 64 {
		return nil, fmt.Errorf("sim: %d nodes: want 1 to 64", opts.Nodes)
	}
	s := &Sim{
		opts:   opts,
		rng:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		net:    newNetwork(opts.Nodes),
		placed: map[string]Placement{},
	}
	s.chk = newChecker(s)
	for i := 1; i <= opts.Voters; i++ {
		s.peers = append(s.peers, raft.Member{ID: raft.NodeID(i), Addr: addrOf(raft.NodeID(i))})
	}
	s.chk.committedConfig = raft.Configuration{Members: s.peers}.Clone()
	for i := 1; i <= opts.Nodes; i++ {
		tick := opts.TickInterval
		if opts.ClockDrift > 0 {
			tick = time.Duration(float64(tick) * (1 + opts.ClockDrift*(2*s.rng.Float64()-1)))
		}
		n := &node{
			s:         s,
			id:        raft.NodeID(i),
			founding:  i <= opts.Voters,
			tickEvery: tick,
		}
		n.store, n.sm = newStore(n), &stateMachine{n: n}
		s.nodes = append(s.nodes, n)
	}
	for _, n := range s.nodes {
		if err := n.start(); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	return s, nil
}

// Options returns the options in force, defaults filled in.
func (s *Sim) Options() Options { return s.opts }

// Rand returns the simulation's PRNG, for scenarios to draw from so that
// one seed drives everything.
func (s *Sim) Rand() *rand.Rand { return s.rng }

// Now returns the virtual time since the start.
func (s *Sim) Now() time.Duration { return s.clk.now }

// Err returns the first invariant violation or driver failure, if any.
func (s *Sim) Err() error { return s.err }

func (s *Sim) fail(err error) {
	if s.err == nil {
		s.err = fmt.Errorf("at %v: %w", s.clk.now, err)
		s.tracef("FAIL %v", err)
	}
}

func (s *Sim) node(id raft.NodeID) *node { return s.nodes[id-1] }

// IDs returns the ids of all nodes.
func (s *Sim) IDs() []raft.NodeID {
	ids := make([]raft.NodeID, len(s.nodes))
	for i := range s.nodes {
		ids[i] = raft.NodeID(i + 1)
	}
	return ids
}

// RunFor advances virtual time by d, running every event due.
func (s *Sim) RunFor(d time.Duration) error {
	end := s.clk.now + d
	for s.err == nil {
		e := s.clk.peek()
		if e == nil || e.at > end {
			break
		}
		s.runEvent(s.clk.pop())
	}
	if s.err != nil {
		return s.err
	}
	s.clk.now = end
	return nil
}

// RunUntil runs until cond holds (checked after every event) or limit of
// virtual time passes, and reports whether cond held.
func (s *Sim) RunUntil(limit time.Duration, cond func() bool) (bool, error) {
	end := s.clk.now + limit
	if cond() {
		return true, nil
	}
	for s.err == nil {
		e := s.clk.peek()
		if e == nil || e.at > end {
			break
		}
		s.runEvent(s.clk.pop())
		if s.err == nil && cond() {
			return true, nil
		}
	}
	if s.err != nil {
		return false, s.err
	}
	s.clk.now = end
	return false, nil
}

// At schedules fn to run at virtual time now+d.
func (s *Sim) At(d time.Duration, fn func()) {
	s.clk.schedule(&event{at: s.clk.now + d, kind: evFunc, fn: fn})
}

func (s *Sim) runEvent(e *event) {
	switch e.kind {
	case evTick:
		n := s.node(e.node)
		if !n.up || e.epoch != n.epoch {
			return
		}
		s.tracef("tick %d", e.node)
		n.onTick()
	case evDeliver:
		n := s.node(e.msg.To)
		if !n.up || e.epoch != n.epoch || !s.net.passes(e.msg.From, e.msg.To) {
			s.traceMsg("lost", e.msg, 0)
			return
		}
		s.net.stats.Delivered++
		s.traceMsg("recv", e.msg, 0)
		n.deliver(e.msg, e.snap)
	case evPersisted:
		n := s.node(e.node)
		if !n.up || e.epoch != n.epoch {
			return
		}
		s.tracef("persisted %d", e.node)
		n.onPersisted()
	case evFunc:
		e.fn()
	}
	if s.err == nil {
		s.chk.afterEvent()
	}
}

// send puts a message (with its data, for a MsgSnap) on the network,
// subject to the link's faults.
func (s *Sim) send(m raft.Message, snap []byte) {
	nw := s.net
	nw.stats.Messages++
	nw.stats.ByType[m.Type]++
	if isRequest(m.Type) {
		nw.stats.RPCs++
	}
	if m.To < 1 || int(m.To) > len(s.nodes) || m.To == m.From {
		s.fail(fmt.Errorf("node %d sent %s to invalid node %d", m.From, m.Type, m.To))
		return
	}
	if m.Type == raft.MsgSnap && m.Snapshot == nil {
		s.fail(fmt.Errorf("node %d sent a MsgSnap without metadata", m.From))
		return
	}
	if !nw.passes(m.From, m.To) {
		s.traceMsg("cut", m, 0)
		return
	}
	f := nw.links[m.From-1][m.To-1]
	if f.DropRate > 0 && s.rng.Float64() < f.DropRate {
		s.traceMsg("drop", m, 0)
		return
	}
	copies := 1
	if f.DuplicateRate > 0 && s.rng.Float64() < f.DuplicateRate {
		copies = 2
	}
	to := s.node(m.To)
	for range copies {
		d := f.MinDelay
		if f.MaxDelay > f.MinDelay {
			d += time.Duration(s.rng.Int64N(int64(f.MaxDelay - f.MinDelay + 1)))
		}
		if f.LongDelayRate > 0 && f.LongDelayMax > 0 && s.rng.Float64() < f.LongDelayRate {
			d = time.Duration(s.rng.Int64N(int64(f.LongDelayMax) + 1))
		}
		at := s.clk.now + d
		if !f.Reorder {
			if last := nw.lastAt[m.From-1][m.To-1]; at < last {
				at = last
			}
			nw.lastAt[m.From-1][m.To-1] = at
		}
		s.traceMsg("send", m, at-s.clk.now)
		s.clk.schedule(&event{at: at, kind: evDeliver, msg: m, snap: snap, epoch: to.epoch})
		if m.Type == raft.MsgSnap {
			break // a snapshot stream is never duplicated
		}
	}
}

// addrOf is the network address of node id in configurations.
func addrOf(id raft.NodeID) string { return fmt.Sprintf("n%d", id) }

// reportUnreachable tells the sender, a little later, that its transport
// could not reach m.To (the connection is down), as a real transport may.
func (s *Sim) reportUnreachable(m raft.Message) {
	from := s.node(m.From)
	epoch := from.epoch
	s.At(time.Millisecond, func() {
		if from.up && from.epoch == epoch {
			from.input(func() error { from.st.ReportUnreachable(m.To); return nil })
		}
	})
}

func newRand(a, b uint64) *rand.Rand { return rand.New(rand.NewPCG(a, b)) }

// traceMsg records a message event (with its delay, if any) when tracing.
func (s *Sim) traceMsg(what string, m raft.Message, delay time.Duration) {
	if !s.opts.Trace {
		return
	}
	if delay > 0 {
		s.tracef("%s %s +%v", what, fmtMsg(m), delay)
		return
	}
	s.tracef("%s %s", what, fmtMsg(m))
}

func (s *Sim) tracef(format string, args ...any) {
	if !s.opts.Trace {
		return
	}
	s.trace = append(s.trace, fmt.Sprintf("%12v ", s.clk.now)+fmt.Sprintf(format, args...))
}

// Trace returns the recorded trace (Options.Trace), one event a line.
func (s *Sim) Trace() string { return strings.Join(s.trace, "\n") }

func fmtMsg(m raft.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d->%d %s t%d i%d lt%d c%d", m.From, m.To, m.Type, m.Term, m.Index, m.LogTerm, m.Commit)
	if len(m.Entries) > 0 {
		fmt.Fprintf(&b, " ents[%d..%d]", m.Entries[0].Index, m.Entries[len(m.Entries)-1].Index)
	}
	if m.Reject {
		fmt.Fprintf(&b, " reject hint%d", m.RejectHint)
	}
	if m.Snapshot != nil {
		fmt.Fprintf(&b, " snap%d/%d", m.Snapshot.Index, m.Snapshot.Term)
	}
	if m.Lease {
		b.WriteString(" lease")
	}
	return b.String()
}
