package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/statemachine"
)

// BenchmarkApplySession is the apply side of exactly-once writes, in
// process: the same single-row INSERT entries applied to two state
// machines, one plain and one in a client session (each session write
// also advances the leader time, reads the session's row, records its
// result and drops the acknowledged ones, in the same transaction), one
// entry per Apply call or 256 (a pipelined batch). The two take turns
// batch by batch, so that the load of a shared machine falls on both; it
// reports each one's time per entry and their ratio (eo/plain):
//
//	go test ./benchmarks -run '^$' -bench ApplySession -benchtime 5000x -count 3
func BenchmarkApplySession(b *testing.B) {
	for _, batch := range []int{1, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			plain, eo := newApplyBench(b, false), newApplyBench(b, true)
			var tPlain, tEO time.Duration
			for i := 0; i < b.N; i += batch {
				n := min(batch, b.N-i)
				tPlain += plain.apply(b, i, n)
				tEO += eo.apply(b, i, n)
			}
			b.ReportMetric(float64(tPlain.Nanoseconds())/float64(b.N), "plain-ns/entry")
			b.ReportMetric(float64(tEO.Nanoseconds())/float64(b.N), "eo-ns/entry")
			b.ReportMetric(float64(tEO)/float64(tPlain), "eo/plain")
		})
	}
}

// applyBench is one state machine with a table and, for session writes,
// a registered session.
type applyBench struct {
	sm      *statemachine.StateMachine
	session uint64 // the session's id; 0: plain writes
}

// applyBenchNow is the leader time the session's writes carry.
const applyBenchNow = 1_800_000_000_000

func newApplyBench(b *testing.B, session bool) *applyBench {
	sm, err := statemachine.Open(b.TempDir(), statemachine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sm.Close() })
	a := &applyBench{sm: sm}
	a.applyCommands(b, statemachine.Command{Statements: []statemachine.Statement{{SQL: "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)"}}})
	if session {
		a.applyCommands(b, statemachine.Command{Register: true, Time: applyBenchNow})
		a.session = sm.AppliedIndex()
	}
	return a
}

// apply applies inserts from..from+n-1 in one Apply call and returns
// how long the call took (encoding excluded).
func (a *applyBench) apply(b *testing.B, from, n int) time.Duration {
	cmds := make([]statemachine.Command, n)
	for i := range cmds {
		k := from + i
		cmds[i] = statemachine.Command{Statements: []statemachine.Statement{{SQL: fmt.Sprintf("INSERT INTO t(name, qty) VALUES('item-%d', %d)", k, k%1000)}}}
		if a.session != 0 {
			seq := uint64(k + 1)
			cmds[i].Session = &statemachine.SessionTag{ClientID: a.session, Seq: seq, Acked: seq - 1}
			cmds[i].Time = applyBenchNow + int64(k)
		}
	}
	return a.applyCommands(b, cmds...)
}

// applyCommands applies cmds as the next entries and checks that each
// applied without an error.
func (a *applyBench) applyCommands(b *testing.B, cmds ...statemachine.Command) time.Duration {
	es := make([]raft.Entry, len(cmds))
	for i, c := range cmds {
		es[i] = raft.Entry{Index: a.sm.AppliedIndex() + 1 + uint64(i), Term: 1, Type: raft.EntryNormal, Data: statemachine.EncodeCommand(c)}
	}
	start := time.Now()
	rs, err := a.sm.Apply(es)
	took := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range rs {
		if r, ok := r.(*statemachine.Result); !ok || r.Err != nil || r.SessionErr != nil {
			b.Fatalf("entry not applied: %+v", r)
		}
	}
	return took
}
