package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine"
)

// A 3-node cluster of the program applies an entry that takes 30 seconds
// on every node (resqlite_test_sleep, enabled in all three by the same
// environment variable) and keeps its leader: no term change, and every
// node answers Status (what .status shows) throughout, because entries
// apply off the Raft goroutine and heartbeats keep flowing.
func TestClusterSlowEntryKeepsLeader(t *testing.T) {
	skipShort(t)
	const slow = 30 * time.Second
	nodes := startClusterEnv(t, 3, []string{statemachine.TestSleepFuncEnv + "=1"})
	ctx, cancel := context.WithTimeout(context.Background(), 3*slow)
	defer cancel()
	clients := make([]*client.Client, len(nodes))
	for i, nd := range nodes {
		// The slow entry needs a deadline beyond the default 30 s.
		c, err := client.Dial(ctx, nd.addr, client.Options{Timeout: 3 * slow})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
	}
	if _, err := clients[0].Exec(ctx, "CREATE TABLE slow(ms INTEGER)"); err != nil {
		t.Fatal(err)
	}
	before, err := clients[0].Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	term, leader := before.GetTerm(), before.GetLeaderId()

	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := clients[0].Exec(ctx, fmt.Sprintf("INSERT INTO slow VALUES (resqlite_test_sleep(%d))", slow.Milliseconds()))
		done <- err
	}()
	// Poll every node until the entry is applied everywhere: each answers
	// within a second, in the same term, under the same leader.
	var execErr error
	execDone := false
	for polls := 0; ; polls++ {
		allApplied := execDone
		for i, c := range clients {
			sctx, scancel := context.WithTimeout(ctx, time.Second)
			st, err := c.Status(sctx)
			scancel()
			if err != nil {
				t.Fatalf("%v into the slow entry, node %d did not answer Status within 1s: %v", time.Since(start).Round(time.Millisecond), i+1, err)
			}
			if st.GetTerm() != term || st.GetLeaderId() != leader {
				t.Fatalf("%v into the slow entry, node %d is at term %d under leader %d; before it: term %d, leader %d",
					time.Since(start).Round(time.Millisecond), i+1, st.GetTerm(), st.GetLeaderId(), term, leader)
			}
			if st.GetAppliedIndex() <= before.GetAppliedIndex() {
				allApplied = false
			}
		}
		if allApplied {
			t.Logf("%d Status rounds over %v", polls+1, time.Since(start).Round(time.Millisecond))
			break
		}
		select {
		case execErr = <-done:
			execDone = true
			if execErr != nil {
				t.Fatalf("the slow entry: %v", execErr)
			}
		case <-time.After(250 * time.Millisecond):
		}
	}
	if d := time.Since(start); d < slow {
		t.Fatalf("the entry applied everywhere in %v, want at least %v: it did not sleep", d, slow)
	}
	for i, c := range clients {
		rows, err := c.Query(ctx, client.Linearizable, "SELECT ms FROM slow")
		if err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
		if len(rows.Rows) != 1 || rows.Rows[0][0].Int != slow.Milliseconds() {
			t.Fatalf("node %d: rows %v, want the one slow row", i+1, rows.Rows)
		}
	}
}
