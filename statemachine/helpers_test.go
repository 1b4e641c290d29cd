package statemachine

import (
	"context"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// openTest opens a state machine in a fresh temp dir, closed at cleanup.
func openTest(t testing.TB) *StateMachine {
	t.Helper()
	return openAt(t, t.TempDir())
}

func openAt(t testing.TB, dir string) *StateMachine {
	t.Helper()
	sm, err := Open(dir, Options{ReadConns: 2})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { sm.Close() })
	return sm
}

// sqlEntry encodes one SQL text (with optional positional params) as a
// normal entry at index.
func sqlEntry(index uint64, sql string, params ...Value) raft.Entry {
	st := Statement{SQL: sql}
	for _, p := range params {
		st.Params = append(st.Params, Param{Value: p})
	}
	return raft.Entry{Index: index, Term: 1, Type: raft.EntryNormal, Data: EncodeCommand(Command{Statements: []Statement{st}})}
}

// blockEntry encodes several statements as one atomic entry.
func blockEntry(index uint64, sqls ...string) raft.Entry {
	var c Command
	for _, s := range sqls {
		c.Statements = append(c.Statements, Statement{SQL: s})
	}
	return raft.Entry{Index: index, Term: 1, Type: raft.EntryNormal, Data: EncodeCommand(c)}
}

// exec applies sql as the next entry and returns its result.
func exec(t testing.TB, sm *StateMachine, sql string, params ...Value) *Result {
	t.Helper()
	res, err := sm.Apply([]raft.Entry{sqlEntry(sm.AppliedIndex()+1, sql, params...)})
	if err != nil {
		t.Fatalf("Apply %q: %v", sql, err)
	}
	return res[0].(*Result)
}

// mustExec applies sql and fails the test if the entry failed.
func mustExec(t testing.TB, sm *StateMachine, sql string, params ...Value) *Result {
	t.Helper()
	r := exec(t, sm, sql, params...)
	if r.Err != nil {
		t.Fatalf("%q: %v", sql, r.Err)
	}
	return r
}

// query runs a read and fails the test on error.
func query(t testing.TB, sm *StateMachine, sql string) [][]Value {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := sm.Query(ctx, sql)
	if err != nil {
		t.Fatalf("Query %q: %v", sql, err)
	}
	return rows.Rows
}

func digest(t testing.TB, sm *StateMachine) Digest {
	t.Helper()
	d, err := sm.Digest(context.Background())
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}
	return d
}

// raftEntry shortens raft.Entry in table tests.
type raftEntry = raft.Entry
