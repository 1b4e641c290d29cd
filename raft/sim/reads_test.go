package sim

import (
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// startReaders makes readers that, every few milliseconds until *stop,
// issue a read at a random live node (leader or follower): linearizable
// or by lease, at random.
func (h *harness) startReaders(stop *bool) {
	var loop func()
	loop = func() {
		if *stop {
			return
		}
		if h.s.Rand().IntN(2) == 0 {
			h.s.Read(h.randNode())
		} else {
			h.s.ReadLease(h.randNode())
		}
		h.s.At(5*time.Millisecond+h.randDur(45*time.Millisecond), loop)
	}
	h.s.At(0, loop)
}

// readScenario runs writers and readers while the leader is cut off
// again and again, then heals; every read is checked against the writes
// acknowledged before it was requested.
func readScenario(h *harness) {
	stop := false
	h.startClients(&stop)
	h.startReaders(&stop)
	for range 8 {
		leader := h.checkOneLeader()
		h.run(h.randDur(500 * time.Millisecond))
		switch h.s.Rand().IntN(3) {
		case 0: // the old leader keeps its clients but loses the cluster
			var rest []raft.NodeID
			for _, id := range h.s.IDs() {
				if id != leader {
					rest = append(rest, id)
				}
			}
			h.s.Partition([]raft.NodeID{leader}, rest)
		case 1: // it can still send, but hears nothing back
			for _, id := range h.s.IDs() {
				if id != leader {
					h.s.CutLink(id, leader)
				}
			}
		case 2:
			h.s.Crash(leader)
		}
		h.run(2 * electionTimeout)
		h.s.HealPartitions()
		h.s.Restart(leader)
	}
	stop = true
	h.checkLiveness()
	if h.s.ReadsServed() == 0 {
		h.fatalf("no read was served; the scenario checked nothing")
	}
}

// TestReadIndex: ReadIndex reads (thesis §6.4) at leaders and followers
// never return state older than a write acknowledged before them, while
// leaders are isolated, half-isolated or crashed.
func TestReadIndex(t *testing.T) {
	forEachSeed(t, 100, 3, labOptions(3), readScenario)
}

// TestLeaseRead: the same with leader leases (thesis §6.4.1) and clocks
// drifting by up to ±4%; at most one node holds a lease at any instant.
func TestLeaseRead(t *testing.T) {
	o := labOptions(5)
	o.LeaseRead = true
	o.ClockDrift = 0.04
	forEachSeed(t, 80, 3, o, readScenario)
}

// TestLeaseReadWithPauses (issue 11, bug 2): lease reads stay fresh when
// nodes stall (their ticks dropped while their clocks run on, as a long
// apply, a GC pause or SIGSTOP does) and clocks drift by up to ±9%, within
// raft.MaxClockDrift.
func TestLeaseReadWithPauses(t *testing.T) {
	o := labOptions(3)
	o.LeaseRead = true
	o.ClockDrift = 0.09
	o.Pauses = true
	forEachSeed(t, 120, 3, o, readScenario)
}

// TestLeaseReadServedLocally: with a lease, a leader answers reads
// without a heartbeat round: before any message could make a round trip.
func TestLeaseReadServedLocally(t *testing.T) {
	o := labOptions(3)
	o.LeaseRead = true
	forEachSeed(t, 100, 3, o, func(h *harness) {
		h.one(h.cmd(), 3, true)
		leader := h.checkOneLeader()
		h.run(electionTimeout / 4)
		if st := h.s.CoreStatus(leader); st == nil || !st.LeaseValid {
			h.fatalf("leader %d holds no lease in a quiet healthy cluster", leader)
		}
		served := h.s.ReadsServed()
		for range 20 {
			h.s.ReadLease(leader)
		}
		// Links take at least 1 ms each way: no round trip fits in this.
		h.run(900 * time.Microsecond)
		if got := h.s.ReadsServed() - served; got != 20 {
			h.fatalf("%d of 20 lease reads served without a round trip", got)
		}
	})
}

// TestLinearizableReadRoundWithLease: with leases on, a linearizable read
// at a leader holding a lease still waits for a heartbeat round (thesis
// §6.4): none is served before a round trip could complete, all of them
// once it can.
func TestLinearizableReadRoundWithLease(t *testing.T) {
	o := labOptions(3)
	o.LeaseRead = true
	forEachSeed(t, 50, 3, o, func(h *harness) {
		h.one(h.cmd(), 3, true)
		leader := h.checkOneLeader()
		h.run(electionTimeout / 4)
		if st := h.s.CoreStatus(leader); st == nil || !st.LeaseValid {
			h.fatalf("leader %d holds no lease in a quiet healthy cluster", leader)
		}
		served := h.s.ReadsServed()
		for range 20 {
			h.s.Read(leader)
		}
		h.run(900 * time.Microsecond)
		if got := h.s.ReadsServed() - served; got != 0 {
			h.fatalf("%d of 20 linearizable reads served without a heartbeat round", got)
		}
		h.run(electionTimeout / 2)
		if got := h.s.ReadsServed() - served; got != 20 {
			h.fatalf("%d of 20 linearizable reads served after a heartbeat round", got)
		}
	})
}

// TestLeaseReadsAcrossTransfers (issue 11, bug 1): leadership is handed
// over again and again while lease reads and writes run, links delay and
// reorder messages (so late higher-term replies reach voters) and nodes
// stall now and then. No lease read may be stale, and at most one node
// holds a lease at any instant.
func TestLeaseReadsAcrossTransfers(t *testing.T) {
	o := labOptions(5)
	o.LeaseRead = true
	o.ClockDrift = 0.09
	o.Pauses = true
	forEachSeed(t, 80, 3, o, func(h *harness) {
		stop := false
		h.startClients(&stop)
		h.startReaders(&stop)
		slow := Reliable()
		slow.LongDelayRate, slow.LongDelayMax = 0.05, electionTimeout
		for range 12 {
			h.s.SetAllLinkFaults(slow)
			h.run(h.randDur(electionTimeout))
			if ids := h.leaderIDs(); len(ids) > 0 {
				h.s.Transfer(ids[0], h.nth(ids[0], 1+h.s.Rand().IntN(4)))
			}
			h.run(h.randDur(electionTimeout))
			h.s.Heal()
		}
		stop = true
		h.checkLiveness()
		if h.s.ReadsServed() == 0 {
			h.fatalf("no read was served; the scenario checked nothing")
		}
	})
}
