package transport

import (
	"sync"
	"sync/atomic"

	"github.com/resqlite/resqlite/raft"
)

// PeerStats is what the transport counted for one peer since it started,
// for monitoring.
type PeerStats struct {
	// BytesSent and BytesReceived are the encoded sizes of the Raft
	// message batches written to and read from the peer's Replicate
	// streams (snapshot streams not included).
	BytesSent, BytesReceived uint64
	// Unreachable is set while messages to the peer are being lost
	// (the node was told, raft.Node.ReportUnreachable) and no write to it
	// has succeeded since.
	Unreachable bool
}

// peerCounters are one peer's running byte counts; they outlive the
// peer's connection (a member whose address changes keeps them).
type peerCounters struct {
	sent, received atomic.Uint64
}

// statsTable holds the counters of every peer ever heard of.
type statsTable struct {
	mu    sync.Mutex
	peers map[raft.NodeID]*peerCounters
}

// of returns id's counters, creating them.
func (s *statsTable) of(id raft.NodeID) *peerCounters {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peers == nil {
		s.peers = map[raft.NodeID]*peerCounters{}
	}
	c, ok := s.peers[id]
	if !ok {
		c = &peerCounters{}
		s.peers[id] = c
	}
	return c
}

// PeerStats returns the counts of every current member but this node.
func (t *Transport) PeerStats() map[raft.NodeID]PeerStats {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[raft.NodeID]PeerStats, len(t.members))
	for id := range t.members {
		if id == t.cfg.ID {
			continue
		}
		c := t.stats.of(id)
		st := PeerStats{BytesSent: c.sent.Load(), BytesReceived: c.received.Load()}
		if p := t.peers[id]; p != nil {
			st.Unreachable = p.lost.Load()
		}
		out[id] = st
	}
	return out
}
