package node_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// The leader's member list (what .nodes shows) marks a member it has not
// heard from for an election timeout as unreachable, with its last
// contact, and no other member.
func TestMembersMarksSilentMemberUnreachable(t *testing.T) {
	dir := t.TempDir()
	dirs := []string{filepath.Join(dir, "1"), filepath.Join(dir, "2"), filepath.Join(dir, "3")}
	nodes := startInProcessCluster(t, dirs)
	for _, n := range nodes {
		defer n.Stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	leader := waitInProcessLeader(t, nodes, 30*time.Second)
	cl, err := client.Dial(ctx, nodes[leader].Addr(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	unreachable := func() map[uint64]int64 {
		t.Helper()
		ms, err := cl.Members(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[uint64]int64{}
		for _, m := range ms.GetMembers() {
			if m.GetUnreachable() {
				out[m.GetId()] = m.GetLastContactMs()
			}
		}
		return out
	}
	if u := waitFor(t, func() bool { return len(unreachable()) == 0 }); !u {
		t.Fatalf("members marked unreachable in a healthy cluster: %v", unreachable())
	}
	victim := (leader + 1) % len(nodes)
	victimID := uint64(nodes[victim].Raft().ID())
	nodes[victim].Stop()
	timeout := nodes[leader].Raft().ElectionTimeout()
	if !waitFor(t, func() bool { _, ok := unreachable()[victimID]; return ok }) {
		t.Fatalf("stopped member %d never marked unreachable: %v", victimID, unreachable())
	}
	u := unreachable()
	// Last contact is reported in whole milliseconds, truncated: a member
	// silent for 160.4 ms against a 160 ms timeout reports 160.
	if len(u) != 1 || u[victimID] < timeout.Milliseconds() {
		t.Fatalf("unreachable members %v (last contact ms), want only %d, silent for at least %v", u, victimID, timeout)
	}
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, cond func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}
