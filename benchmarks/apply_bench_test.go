package main

import (
	"fmt"
	"testing"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/statemachine"
)

// BenchmarkApplySession is the apply side of sess-pipe's cost, in
// process: the same single-row INSERT entries applied to one state
// machine plain and in a client session (each session write also
// advances the leader time, reads the session's row, records its result
// and drops the acknowledged ones, in the same transaction), one entry
// per Apply call and 256 (a pipelined batch). Compare the variants'
// ns/op, which is per entry:
//
//	go test ./benchmarks -run '^$' -bench ApplySession -count 5
func BenchmarkApplySession(b *testing.B) {
	for _, batch := range []int{1, 256} {
		for _, v := range []struct {
			name    string
			session bool
		}{{variantPlain, false}, {variantEO, true}} {
			b.Run(fmt.Sprintf("batch=%d/%s", batch, v.name), func(b *testing.B) { benchApply(b, batch, v.session) })
		}
	}
}

func benchApply(b *testing.B, batch int, session bool) {
	sm, err := statemachine.Open(b.TempDir(), statemachine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer sm.Close()
	apply := func(cmds ...statemachine.Command) {
		es := make([]raft.Entry, len(cmds))
		for i, c := range cmds {
			es[i] = raft.Entry{Index: sm.AppliedIndex() + 1 + uint64(i), Term: 1, Type: raft.EntryNormal, Data: statemachine.EncodeCommand(c)}
		}
		rs, err := sm.Apply(es)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			if r, ok := r.(*statemachine.Result); !ok || r.Err != nil || r.SessionErr != nil {
				b.Fatalf("entry not applied: %+v", r)
			}
		}
	}
	apply(statemachine.Command{Statements: []statemachine.Statement{{SQL: "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)"}}})
	const now = 1_800_000_000_000
	apply(statemachine.Command{Register: true, Time: now})
	id := sm.AppliedIndex()
	cmds := make([]statemachine.Command, b.N)
	for i := range cmds {
		cmds[i] = statemachine.Command{Statements: []statemachine.Statement{{SQL: fmt.Sprintf("INSERT INTO t(name, qty) VALUES('item-%d', %d)", i, i%1000)}}}
		if session {
			seq := uint64(i + 1)
			cmds[i].Session, cmds[i].Time = &statemachine.SessionTag{ClientID: id, Seq: seq, Acked: seq - 1}, now+int64(i)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		apply(cmds[i:min(i+batch, b.N)]...)
	}
}
