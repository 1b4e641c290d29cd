package sim

import (
	"testing"
	"time"
)

// startClients makes clients that, every few milliseconds until *stop,
// propose a fresh payload to every node that believes it leads (the labs'
// clients try every server).
func (h *harness) startClients(stop *bool) {
	var loop func()
	loop = func() {
		if *stop {
			return
		}
		h.proposeToLeaders()
		h.s.At(5*time.Millisecond+h.randDur(45*time.Millisecond), loop)
	}
	h.s.At(0, loop)
}

// churn is the labs' churn scenario: for twenty rounds, nodes are
// disconnected, crashed, restarted and reconnected at random while
// clients propose; then every fault heals, every acknowledged proposal
// must be applied everywhere, and a new one commits.
func churn(h *harness, unreliable bool) {
	if unreliable {
		h.s.SetAllLinkFaults(Unreliable())
	}
	stop := false
	h.startClients(&stop)
	for range 20 {
		if h.s.Rand().IntN(1000) < 200 {
			h.s.Disconnect(h.randNode())
		}
		if h.s.Rand().IntN(1000) < 500 {
			i := h.randNode()
			h.s.Restart(i)
			h.s.Connect(i)
		}
		if h.s.Rand().IntN(1000) < 200 {
			h.s.Crash(h.randNode())
		}
		h.run(electionTimeout * 7 / 10)
	}
	h.run(electionTimeout)
	h.s.SetAllLinkFaults(Reliable())
	for _, id := range h.s.IDs() {
		h.s.Restart(id)
		h.s.Connect(id)
	}
	stop = true
	h.run(electionTimeout)
	h.one(h.cmd(), len(h.s.nodes), true)
	h.checkLiveness()
}

// TestReliableChurn: churn on a reliable network.
func TestReliableChurn(t *testing.T) {
	forEachSeed(t, 150, 2, labOptions(5), func(h *harness) { churn(h, false) })
}

// TestUnreliableChurn: churn on a network losing 10% of messages each
// way and reordering them over seconds.
func TestUnreliableChurn(t *testing.T) {
	forEachSeed(t, 150, 2, labOptions(5), func(h *harness) { churn(h, true) })
}
