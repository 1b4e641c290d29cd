package raft

import (
	"math/rand/v2"
	"testing"
)

// randomMessage builds a message with arbitrary field values, as a buggy
// or confused peer might send.
func randomMessage(r *rand.Rand, to NodeID) Message {
	m := Message{
		Type:       MessageType(r.IntN(len(messageTypeNames))),
		From:       NodeID(1 + r.IntN(5)),
		To:         to,
		Term:       uint64(r.IntN(6)),
		Index:      uint64(r.IntN(12)),
		LogTerm:    uint64(r.IntN(6)),
		Commit:     uint64(r.IntN(14)),
		Reject:     r.IntN(3) == 0,
		RejectHint: uint64(r.IntN(12)),
	}
	if m.From == to {
		m.From = to%5 + 1
	}
	switch r.IntN(4) {
	case 0:
		m.Context = encodeRound(uint64(r.IntN(20)))
	case 1:
		m.Context = []byte{byte(r.IntN(256))}
	}
	for i := range r.IntN(4) {
		idx := m.Index + 1 + uint64(i)
		if r.IntN(10) == 0 {
			idx = uint64(r.IntN(15))
		}
		e := Entry{Index: idx, Term: uint64(r.IntN(6)), Type: EntryType(r.IntN(3)), Data: []byte{byte(i)}}
		if e.Type == EntryConfig && r.IntN(2) == 0 {
			e.Data = EncodeConfiguration(Configuration{Members: []Member{{ID: 1}, {ID: 2}, {ID: NodeID(1 + r.IntN(5))}}})
		}
		m.Entries = append(m.Entries, e)
	}
	if m.Type == MsgSnap && r.IntN(4) != 0 {
		m.Snapshot = &SnapshotMeta{Index: uint64(r.IntN(12)), Term: uint64(r.IntN(6)), Config: Configuration{Members: []Member{{ID: 1}, {ID: 2}, {ID: 3}}}}
	}
	return m
}

// Whatever arrives, the core never panics and keeps its basic invariants
// (commit within the log, applied within commit, term never decreasing).
// A malformed configuration entry stops the core with an error rather
// than a panic.
func TestGarbageMessagesNeverPanic(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		store := NewMemoryStorage()
		c := newTestCore(t, 1, ids(3), store, func(cfg *Config) {
			cfg.PreVote = seed%2 == 0
			cfg.CheckQuorum = seed%3 == 0
			cfg.LeaseRead = seed%6 == 0
		})
		term := uint64(0)
		for range 300 {
			switch r.IntN(10) {
			case 0:
				c.Tick()
			case 1:
				c.Propose([]byte("p"))
			case 2:
				c.ReadIndex([]byte("r"))
			case 3:
				c.TransferLeader(NodeID(1 + r.IntN(4)))
			default:
				c.Step(randomMessage(r, 1))
			}
			if err := c.Err(); err != nil {
				t.Fatalf("seed %d: core stopped: %v", seed, err)
			}
			for c.HasReady() {
				rd := c.Ready()
				if !rd.Snapshot.IsEmpty() {
					if err := store.ApplySnapshot(rd.Snapshot); err != nil {
						t.Fatalf("seed %d: %v", seed, err)
					}
				}
				if err := store.Save(rd.HardState, rd.Entries); err != nil {
					t.Fatalf("seed %d: save: %v", seed, err)
				}
				c.Advance(rd)
			}
			if c.Committed() > c.LastIndex() || c.Applied() > c.Committed() || c.Term() < term {
				t.Fatalf("seed %d: commit %d last %d applied %d term %d (was %d)", seed, c.Committed(), c.LastIndex(), c.Applied(), c.Term(), term)
			}
			term = c.Term()
		}
	}
}
