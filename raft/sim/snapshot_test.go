package sim

import (
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// snapshotInterval is the labs' SnapShotInterval: every node snapshots
// each time it has applied this many entries past its last snapshot.
const snapshotInterval = 10

// maxLogEntries bounds the entries a node's durable log may hold once
// snapshots compact it (the labs' MAXLOGSIZE, counted in entries).
const maxLogEntries = 5 * snapshotInterval

// snapshotOptions are the lab options plus a snapshot every 10 entries
// that keeps no tail (so a lagging follower needs InstallSnapshot) and a
// state machine that restarts from its snapshot.
func snapshotOptions(nodes int) Options {
	o := labOptions(nodes)
	o.SnapshotEvery = snapshotInterval
	o.VolatileStateMachine = true
	return o
}

// checkLogSize fails if some node's log was not compacted.
func (h *harness) checkLogSize() {
	h.t.Helper()
	for _, n := range h.s.nodes {
		if size := n.store.lastIndex() - n.store.offset(); size > maxLogEntries {
			h.fatalf("node %d holds %d log entries (snapshot at %d); want at most %d", n.id, size, n.store.snap.Index, maxLogEntries)
		}
	}
}

// snapCommon is the labs' snapcommon: thirty rounds in which a victim is
// disconnected or crashed while the others commit past a snapshot, then
// rejoins (through InstallSnapshot when it is behind the compacted log).
func snapCommon(h *harness, disconnect, reliable, crash bool) {
	if !reliable {
		h.s.SetAllLinkFaults(Unreliable())
	}
	const servers = 3
	h.one(h.cmd(), servers, true)
	leader1 := h.checkOneLeader()
	for i := range 30 {
		victim, sender := h.nth(leader1, 1), leader1
		if i%3 == 1 {
			sender, victim = h.nth(leader1, 1), leader1
		}
		if disconnect {
			h.s.Disconnect(victim)
			h.one(h.cmd(), servers-1, true)
		}
		if crash {
			h.s.Crash(victim)
			h.one(h.cmd(), servers-1, true)
		}
		// Perhaps send enough to get a snapshot.
		nn := snapshotInterval/2 + h.s.Rand().IntN(snapshotInterval)
		for range nn {
			h.s.Propose(sender, h.cmd())
		}
		if !disconnect && !crash {
			// Everyone catches up, so no InstallSnapshot is needed.
			h.one(h.cmd(), servers, true)
		} else {
			h.one(h.cmd(), servers-1, true)
		}
		h.checkLogSize()
		if disconnect {
			h.s.Connect(victim)
			h.one(h.cmd(), servers, true)
			leader1 = h.checkOneLeader()
		}
		if crash {
			h.s.Restart(victim)
			h.one(h.cmd(), servers, true)
			leader1 = h.checkOneLeader()
		}
	}
	if (disconnect || crash) && h.s.Stats().ByType[raft.MsgSnap] == 0 {
		h.fatalf("no InstallSnapshot was ever sent; the scenario did not exercise it")
	}
	h.checkLiveness()
}

// TestSnapshotBasic: snapshots every 10 entries keep logs short.
func TestSnapshotBasic(t *testing.T) {
	forEachSeed(t, 100, 2, snapshotOptions(3), func(h *harness) { snapCommon(h, false, true, false) })
}

// TestSnapshotInstall: a disconnected victim rejoins through
// InstallSnapshot.
func TestSnapshotInstall(t *testing.T) {
	forEachSeed(t, 100, 2, snapshotOptions(3), func(h *harness) { snapCommon(h, true, true, false) })
}

// TestSnapshotInstallUnreliable: the same on an unreliable network.
func TestSnapshotInstallUnreliable(t *testing.T) {
	forEachSeed(t, 100, 2, snapshotOptions(3), func(h *harness) { snapCommon(h, true, false, false) })
}

// TestSnapshotInstallCrash: a crashed victim restarts from its own
// snapshot and catches up through InstallSnapshot.
func TestSnapshotInstallCrash(t *testing.T) {
	forEachSeed(t, 100, 2, snapshotOptions(3), func(h *harness) { snapCommon(h, false, true, true) })
}

// TestSnapshotInstallUnCrash: the same on an unreliable network.
func TestSnapshotInstallUnCrash(t *testing.T) {
	forEachSeed(t, 100, 2, snapshotOptions(3), func(h *harness) { snapCommon(h, false, false, true) })
}

// TestSnapshotAllCrash: every node crashes after snapshots and resumes
// from them; the log never goes backwards.
func TestSnapshotAllCrash(t *testing.T) {
	forEachSeed(t, 100, 2, snapshotOptions(3), func(h *harness) {
		const servers = 3
		h.one(h.cmd(), servers, true)
		for range 5 {
			nn := snapshotInterval/2 + h.s.Rand().IntN(snapshotInterval)
			for range nn {
				h.one(h.cmd(), servers, true)
			}
			index1 := h.one(h.cmd(), servers, true)
			for _, id := range h.s.IDs() {
				h.s.Crash(id)
			}
			for _, id := range h.s.IDs() {
				h.s.Restart(id)
			}
			if index2 := h.one(h.cmd(), servers, true); index2 < index1+1 {
				h.fatalf("index decreased from %d to %d", index1, index2)
			}
		}
	})
}

// TestSnapshotInit: a node restarted twice from a snapshot keeps it, and
// entries after the snapshot are applied.
func TestSnapshotInit(t *testing.T) {
	forEachSeed(t, 100, 2, snapshotOptions(3), func(h *harness) {
		const servers = 3
		h.one(h.cmd(), servers, true)
		for range snapshotInterval + 1 {
			h.one(h.cmd(), servers, false)
		}
		snaps := make([]uint64, servers)
		for i, n := range h.s.nodes {
			snaps[i] = n.store.snap.Index
			if snaps[i] == 0 {
				h.fatalf("node %d took no snapshot after %d entries", n.id, snapshotInterval+2)
			}
		}
		for round := range 2 {
			for _, id := range h.s.IDs() {
				h.s.Crash(id)
			}
			for _, id := range h.s.IDs() {
				h.s.Restart(id)
			}
			for i, n := range h.s.nodes {
				if n.store.snap.Index < snaps[i] || n.sm.appliedIndex() < snaps[i] {
					h.fatalf("restart %d: node %d resumed with snapshot %d and applied %d, below its snapshot %d",
						round+1, n.id, n.store.snap.Index, n.sm.appliedIndex(), snaps[i])
				}
			}
			// A single proposal, to make sure entries after the snapshot
			// are applied.
			h.one(h.cmd(), servers, true)
		}
	})
}
