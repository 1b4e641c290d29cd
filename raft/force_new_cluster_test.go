package raft

import (
	"context"
	"slices"
	"testing"
	"time"
)

// A survivor of a 3-node cluster that lost the other two for good is
// forced into a one-node cluster: it keeps every entry, leads alone,
// takes writes, and a second force changes nothing.
func TestForceNewClusterRestartsASurvivorAlone(t *testing.T) {
	c := newMemCluster(t, 3, nil)
	want := seq("a", 30)
	c.proposeAll(want)
	c.waitConverged(want)
	for _, id := range []NodeID{1, 2, 3} {
		c.stop(id)
	}
	store := c.stores[1]
	// The founding members come from the bootstrap list (no
	// configuration entry in the log).
	last, _ := store.LastIndex()
	_, index, err := ForceNewCluster(store, Member{ID: 1, Addr: "mem-1"})
	if err != nil {
		t.Fatal(err)
	}
	if index != last+1 {
		t.Fatalf("new configuration entry at %d, want %d (after the log's last)", index, last+1)
	}
	hs, cfg, err := store.InitialState()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Members, []Member{{ID: 1, Addr: "mem-1"}}) || hs.Commit != index {
		t.Fatalf("after the force: configuration %v, hard state %+v, entry %d", cfg, hs, index)
	}
	if _, again, err := ForceNewCluster(store, Member{ID: 1, Addr: "mem-1"}); err != nil || again != 0 {
		t.Fatalf("second force: entry %d, %v", again, err)
	}
	n := c.start(1)
	deadline := time.Now().Add(20 * time.Second)
	for !n.IsLeader() {
		if time.Now().After(deadline) {
			t.Fatal("the forced node does not lead alone")
		}
		time.Sleep(5 * time.Millisecond)
	}
	more := seq("b", 10)
	c.proposeAll(more)
	c.waitConverged(append(want, more...))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := n.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Config.Members) != 1 {
		t.Fatalf("running configuration %v", st.Config)
	}
}
