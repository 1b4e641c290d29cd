package sim

import (
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
	switch r.IntN(10) {
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
		for term, ls := range h.leaders() {
			_ = term
			var rest []raft.NodeID
			for _, id := range ids {
				if id != ls[0] {
					rest = append(rest, id)
				}
			}
			h.s.Partition([]raft.NodeID{ls[0]}, rest)
			break
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
	}
}

// randomOptions varies cluster size and core features with the seed.
func randomOptions(seed uint64) Options {
	return Options{
		Nodes:       []int{3, 5, 7}[seed%3],
		PreVote:     seed/3%2 == 0,
		CheckQuorum: seed/6%2 == 0,
	}
}

// randomRun runs 20 s of virtual time of random faults under a steady
// load of proposals, then heals and checks liveness.
func randomRun(h *harness) {
	stop := false
	h.startClients(&stop)
	end := h.s.Now() + 20*time.Second
	for h.s.Now() < end {
		h.randomFault()
		h.run(50*time.Millisecond + h.randDur(600*time.Millisecond))
	}
	stop = true
	h.checkLiveness()
}

// TestRandomFaults: random crashes, restarts, partitions (symmetric,
// asymmetric, leader isolation) and lossy, duplicating, reordering links
// on 3, 5 and 7 nodes, with and without PreVote and CheckQuorum. The
// safety invariants are checked after every event, liveness at the end.
func TestRandomFaults(t *testing.T) {
	for _, seed := range seedsFor(t, 150, 6) {
		h := newHarness(t, seed, randomOptions(seed))
		randomRun(h)
		h.mustOK()
	}
}

// TestDeterminism runs one seed twice and requires identical traces: the
// simulator (and the core under it) depend on nothing but the seed.
func TestDeterminism(t *testing.T) {
	seeds := []uint64{7, 8}
	if *seedFlag >= 0 {
		seeds = []uint64{uint64(*seedFlag)}
	}
	for _, seed := range seeds {
		run := func() string {
			opts := randomOptions(seed)
			opts.Trace = true
			h := newHarness(t, seed, opts)
			randomRun(h)
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
