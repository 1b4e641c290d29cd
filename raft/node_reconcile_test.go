package raft

import (
	"strings"
	"testing"
)

// reportingMachine is a logMachine that reports an applied state as
// AppliedStateReporter (what a state machine restored from a snapshot
// before a crash would report).
type reportingMachine struct {
	logMachine
	st AppliedState
}

func (m *reportingMachine) AppliedState() (AppliedState, error) { return m.st, nil }

// startReconciled starts a node on storage and a state machine at st,
// stops it, and returns the start error.
func startReconciled(t *testing.T, s *MemoryStorage, st AppliedState) error {
	t.Helper()
	sm := &reportingMachine{st: st}
	sm.applied = st.Index
	net := &memNet{nodes: map[NodeID]*Node{}}
	n, err := StartNode(NodeConfig{ID: 1, Bootstrap: []Member{{ID: 1, Addr: "a"}, {ID: 2, Addr: "b"}},
		Storage: s, StateMachine: sm, Transport: memTransport{net, 1}})
	if err == nil {
		n.Stop()
	}
	return err
}

// logWith returns a storage holding entries 1..last of term 1, of which
// 1..commit are known committed.
func logWith(t *testing.T, last, commit uint64) *MemoryStorage {
	t.Helper()
	s := NewMemoryStorage()
	var ents []Entry
	for i := uint64(1); i <= last; i++ {
		ents = append(ents, Entry{Index: i, Term: 1, Type: EntryNoop})
	}
	if err := s.Save(HardState{Term: 1, Commit: commit}, ents); err != nil {
		t.Fatal(err)
	}
	return s
}

// A state machine ahead of the log (a crash between Restore and
// ApplySnapshot) becomes the log's snapshot, with the configuration it
// applied last, or the bootstrap one when it applied none.
func TestReconcileStateMachineAheadOfLog(t *testing.T) {
	cfg := Configuration{Members: []Member{{ID: 1, Addr: "a"}, {ID: 3, Addr: "c"}}}
	for _, tc := range []struct {
		name string
		st   AppliedState
		want Configuration
	}{
		{"applied configuration", AppliedState{Index: 10, Term: 2, ConfigIndex: 7, Config: cfg}, cfg},
		{"bootstrap configuration", AppliedState{Index: 10, Term: 2}, Configuration{Members: []Member{{ID: 1, Addr: "a"}, {ID: 2, Addr: "b"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := logWith(t, 2, 2)
			if err := startReconciled(t, s, tc.st); err != nil {
				t.Fatalf("start with the state machine at 10 and the log at 2: %v", err)
			}
			snap, _ := s.Snapshot()
			if snap.Index != 10 || snap.Term != 2 || len(snap.Config.Members) != 2 || snap.Config.Members[1] != tc.want.Members[1] {
				t.Fatalf("log snapshot %+v, want index 10 term 2 configuration %v", snap, tc.want)
			}
		})
	}
}

// A log that holds another term at the state machine's applied index (an
// entry the installed snapshot superseded) is replaced too; a log that
// agrees is left alone.
func TestReconcileLogWithAnotherTermAtApplied(t *testing.T) {
	// Entries 3..5 of term 1 were never committed: the leader's entry 4
	// is of term 3.
	s := logWith(t, 5, 2)
	if err := startReconciled(t, s, AppliedState{Index: 4, Term: 3}); err != nil {
		t.Fatal(err)
	}
	if snap, _ := s.Snapshot(); snap.Index != 4 || snap.Term != 3 {
		t.Fatalf("log snapshot %+v, want index 4 term 3", snap)
	}
	if last, _ := s.LastIndex(); last != 4 {
		t.Fatalf("last index %d, want 4 (the superseded entries dropped)", last)
	}

	s = logWith(t, 5, 2)
	if err := startReconciled(t, s, AppliedState{Index: 4, Term: 1}); err != nil {
		t.Fatal(err)
	}
	if snap, _ := s.Snapshot(); !snap.IsEmpty() {
		t.Fatalf("log snapshot %+v recorded for a state machine that agrees with the log", snap)
	}
}

// Without the term of its applied entry the state machine cannot be
// recorded as a snapshot: the node is refused with a message that says why.
func TestReconcileWithoutTermRefuses(t *testing.T) {
	err := startReconciled(t, logWith(t, 2, 2), AppliedState{Index: 10})
	if err == nil || !strings.Contains(err.Error(), "does not record the term") {
		t.Fatalf("start with the state machine at 10, term unknown, log at 2: %v; want a refusal naming the missing term", err)
	}
}
