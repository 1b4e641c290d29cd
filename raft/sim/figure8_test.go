package sim

import (
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// figure8Sleep is the labs' pause between Figure 8 iterations: mostly a
// few milliseconds, one time in ten up to half a second.
func (h *harness) figure8Sleep() {
	h.t.Helper()
	if h.s.Rand().IntN(1000) < 100 {
		h.run(h.randDur(500 * time.Millisecond))
	} else {
		h.run(h.randDur(13 * time.Millisecond))
	}
}

// proposeToLeaders proposes a fresh payload on every live node that
// believes it leads, and returns the last such node (None if none).
func (h *harness) proposeToLeaders() raft.NodeID {
	leader := raft.None
	for _, id := range h.s.IDs() {
		if h.s.Propose(id, h.cmd()) {
			leader = id
		}
	}
	return leader
}

// TestFigure8: the scenario of the Raft paper's Figure 8, 1000 rounds of
// proposals with the leader crashing; a leader never commits an entry of
// an earlier term by counting replicas, so nothing committed is lost.
func TestFigure8(t *testing.T) {
	o := labOptions(5)
	// One entry per MsgApp: a leader that counted replicas of an older
	// term's entry could commit it before its own no-op follows.
	o.MaxSizePerMsg = 1
	forEachSeed(t, 80, 1, o, func(h *harness) {
		h.one(h.cmd(), 1, true)
		nup := 5
		for range 1000 {
			leader := h.proposeToLeaders()
			h.figure8Sleep()
			if leader != raft.None {
				h.s.Crash(leader)
				nup--
			}
			if nup < 3 {
				if s := h.randNode(); !h.s.Up(s) {
					h.s.Restart(s)
					nup++
				}
			}
		}
		for _, id := range h.s.IDs() {
			h.s.Restart(id)
		}
		h.one(h.cmd(), 5, true)
		h.checkLiveness()
	})
}

// TestFigure8Unreliable: Figure 8 on a network that loses 10% of messages
// each way and, after 200 rounds, reorders them over seconds; leaders are
// disconnected rather than crashed.
func TestFigure8Unreliable(t *testing.T) {
	o := labOptions(5)
	o.MaxSizePerMsg = 1 // one entry per MsgApp, as in TestFigure8
	forEachSeed(t, 80, 1, o, func(h *harness) {
		unreliable := Unreliable()
		unreliable.LongDelayRate = 0
		h.s.SetAllLinkFaults(unreliable)
		h.one(h.cmd(), 1, true)
		nup := 5
		for iter := range 1000 {
			if iter == 200 {
				h.s.SetAllLinkFaults(Unreliable())
			}
			leader := h.proposeToLeaders()
			h.figure8Sleep()
			if leader != raft.None && h.s.Connected(leader) && h.s.Rand().IntN(1000) < 500 {
				h.s.Disconnect(leader)
				nup--
			}
			if nup < 3 {
				if s := h.randNode(); !h.s.Connected(s) {
					h.s.Connect(s)
					nup++
				}
			}
		}
		for _, id := range h.s.IDs() {
			h.s.Connect(id)
		}
		h.one(h.cmd(), 5, true)
		h.checkLiveness()
	})
}
