package sim

import (
	"time"

	"github.com/resqlite/resqlite/raft"
)

// LinkFaults describes how one directed link misbehaves.
type LinkFaults struct {
	// DropRate is the probability that a message is lost.
	DropRate float64
	// DuplicateRate is the probability that a message is delivered twice.
	DuplicateRate float64
	// MinDelay and MaxDelay bound a message's ordinary transit time.
	MinDelay, MaxDelay time.Duration
	// LongDelayRate is the probability that a message is held back for up
	// to LongDelayMax instead, overtaken by later ones.
	LongDelayRate float64
	LongDelayMax  time.Duration
	// Reorder lets messages overtake each other. Without it the link is
	// FIFO (as the transport's per-peer streams are), whatever the delays.
	Reorder bool
}

// Reliable returns the faults of a well-behaved link: FIFO, 1–10 ms.
func Reliable() LinkFaults {
	return LinkFaults{MinDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
}

// Unreliable returns the faults of the Raft lab suites' unreliable network:
// 10% loss, some duplicates, and long reordering.
func Unreliable() LinkFaults {
	return LinkFaults{
		DropRate:      0.1,
		DuplicateRate: 0.02,
		MinDelay:      time.Millisecond,
		MaxDelay:      27 * time.Millisecond,
		LongDelayRate: 0.1,
		LongDelayMax:  2 * time.Second,
		Reorder:       true,
	}
}

// network carries messages between nodes on the virtual clock.
type network struct {
	n         int
	links     [][]LinkFaults    // links[from-1][to-1]
	cut       [][]bool          // cut[from-1][to-1]: the link loses everything
	connected []bool            // lab-style: a disconnected node reaches no one
	lastAt    [][]time.Duration // per link, the latest delivery time scheduled (FIFO)
	stats     Stats
}

// Stats counts traffic. A request and its reply are one RPC, as the Raft
// lab suites count them, so RPCs counts requests only.
type Stats struct {
	RPCs      int                      // requests sent (replies not counted)
	Messages  int                      // every message sent
	Delivered int                      // messages that reached a live node
	ByType    map[raft.MessageType]int // messages sent, by type
}

func newNetwork(n int) *network {
	nw := &network{n: n, stats: Stats{ByType: map[raft.MessageType]int{}}}
	nw.links = make([][]LinkFaults, n)
	nw.cut = make([][]bool, n)
	nw.lastAt = make([][]time.Duration, n)
	nw.connected = make([]bool, n)
	for i := range n {
		nw.links[i] = make([]LinkFaults, n)
		nw.cut[i] = make([]bool, n)
		nw.lastAt[i] = make([]time.Duration, n)
		nw.connected[i] = true
		for j := range n {
			nw.links[i][j] = Reliable()
		}
	}
	return nw
}

// passes reports whether the link from→to currently carries messages.
func (nw *network) passes(from, to raft.NodeID) bool {
	return nw.connected[from-1] && nw.connected[to-1] && !nw.cut[from-1][to-1]
}

// isRequest reports whether t starts an RPC (as opposed to answering one).
func isRequest(t raft.MessageType) bool {
	switch t {
	case raft.MsgPreVote, raft.MsgVote, raft.MsgApp, raft.MsgHeartbeat,
		raft.MsgSnap, raft.MsgTimeoutNow, raft.MsgReadIndex:
		return true
	}
	return false
}
