package sim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// randomFault applies one fault drawn at random: crash or restart a node,
// disconnect or reconnect one, partition the cluster at random, isolate
// the leader, cut a link one way, heal, or make links lossy.
func (h *harness) randomFault() {
	r := h.s.Rand()
	ids := h.s.IDs()
	switch r.IntN(11) {
	case 0:
		h.s.Crash(h.randNode())
	case 1:
		h.s.Restart(h.randNode())
	case 2:
		h.s.Disconnect(h.randNode())
	case 3:
		h.s.Connect(h.randNode())
	case 4: // a symmetric partition into two random groups
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		k := 1 + r.IntN(len(ids)-1)
		h.s.Partition(ids[:k], ids[k:])
	case 5: // isolate the leader
		if ls := h.leaderIDs(); len(ls) > 0 {
			var rest []raft.NodeID
			for _, id := range ids {
				if id != ls[0] {
					rest = append(rest, id)
				}
			}
			h.s.Partition([]raft.NodeID{ls[0]}, rest)
		}
	case 6: // an asymmetric partition: one direction of one link
		from, to := h.randNode(), h.randNode()
		if from != to {
			h.s.CutLink(from, to)
		}
	case 7:
		h.s.HealPartitions()
	case 8:
		f := Unreliable()
		if r.IntN(2) == 0 {
			f.LongDelayRate = 0
		}
		from, to := h.randNode(), h.randNode()
		if from != to {
			h.s.SetLinkFaults(from, to, f)
		} else {
			h.s.SetAllLinkFaults(f)
		}
	case 9:
		h.s.SetAllLinkFaults(Reliable())
	case 10: // hand leadership to a random node (thesis §3.10)
		if ls := h.leaderIDs(); len(ls) > 0 {
			h.s.Transfer(ls[0], h.randNode())
		}
	}
}

// randomOptions varies cluster size, core features, snapshots and the
// state machine's durability with the seed.
func randomOptions(seed uint64) Options {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	o := Options{
		Nodes:       []int{3, 5, 7}[seed%3],
		PreVote:     r.IntN(2) == 0,
		CheckQuorum: r.IntN(2) == 0,
	}
	if o.CheckQuorum && r.IntN(2) == 0 {
		o.LeaseRead = true
		o.ClockDrift = 0.04
	}
	if r.IntN(3) == 0 {
		o.MaxSizePerMsg = 1 // one entry per MsgApp
		o.MaxInflightMsgs = 4 + r.IntN(13)
	}
	o.SlowApply = r.IntN(2) == 0
	if r.IntN(3) == 0 {
		o.MaxApplyBacklog = 1 + r.IntN(8)
	}
	o.EagerCommit = r.IntN(2) == 0
	if r.IntN(2) == 0 {
		o.SnapshotEvery = 5 + r.IntN(40)
		o.SnapshotTail = r.IntN(10)
		o.VolatileStateMachine = r.IntN(2) == 0
	}
	o.StateMachineLosesTail = !o.VolatileStateMachine && r.IntN(2) == 0
	return o
}

// randomRun runs 20 s of virtual time of random faults under a steady
// load of proposals, then heals and checks liveness.
func randomRun(h *harness) {
	stop := false
	h.startClients(&stop)
	h.startReaders(&stop)
	end := h.s.Now() + 20*time.Second
	for h.s.Now() < end {
		h.randomFault()
		h.run(50*time.Millisecond + h.randDur(600*time.Millisecond))
	}
	stop = true
	h.checkLiveness()
}

// TestRandomFaults: random crashes, restarts, partitions (symmetric,
// asymmetric, leader isolation), lossy, duplicating, reordering links and
// leadership transfers on 3, 5 and 7 nodes, with and without PreVote,
// CheckQuorum, leases, snapshots and durable state machines, under
// steady writes and linearizable reads. The safety invariants are checked
// after every event, liveness at the end.
func TestRandomFaults(t *testing.T) {
	for _, seed := range seedsFor(t, 200, 6) {
		h := newHarness(t, seed, randomOptions(seed))
		randomRun(h)
		h.mustOK()
	}
}

// TestDeterminism runs one seed twice and requires identical traces: the
// simulator (and the core under it) depend on nothing but the seed.
func TestDeterminism(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	if *seedFlag >= 0 {
		seeds = []uint64{uint64(*seedFlag)}
	}
	for _, seed := range seeds {
		run := func() string {
			opts := randomOptions(seed)
			opts.Trace = true
			if seed%2 == 0 { // membership changes too
				opts.Nodes, opts.Voters = 7, 3
			}
			h := newHarness(t, seed, opts)
			if seed%2 == 0 {
				membershipRun(h, false)
			} else {
				randomRun(h)
			}
			h.mustOK()
			return h.s.Trace() + "\n" + h.s.String()
		}
		a, b := run(), run()
		if len(a) < 1000 {
			t.Fatalf("seed %d: trace suspiciously short (%d bytes)", seed, len(a))
		}
		if a != b {
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			lo := max(0, i-300)
			t.Fatalf("seed %d: two runs diverge at byte %d:\nfirst:  ...%s\nsecond: ...%s\nreplay: go test ./raft/sim -run '^TestDeterminism$' -seed %d",
				seed, i, a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)], seed)
		}
	}
}
