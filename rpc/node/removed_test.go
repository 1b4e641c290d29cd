package node_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// nodeStatus asks cl for its node's status, failing the test on an error.
func nodeStatus(t *testing.T, ctx context.Context, cl *client.Client) *resqlitepb.StatusResponse {
	t.Helper()
	st, err := cl.Status(ctx)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return st
}

// A follower removed while it is down never receives the entry that
// removes it. Restarted, it campaigns with its old configuration and the
// members refuse it; the refusal says their committed configuration
// leaves it out, so it learns it was removed, says so in its log and
// stops campaigning, and the survivors' term does not move (issue 11).
func TestRemovedWhileDownStopsCampaigning(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	cl := c.client(lead)
	mustExec(t, ctx, cl, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
	victim, other := c.followers(lead)[0], c.followers(lead)[1]
	c.kill(victim)
	if _, err := cl.RemoveMember(ctx, uint64(victim)); err != nil {
		t.Fatalf("remove node %d: %v", victim, err)
	}
	mustExec(t, ctx, cl, "INSERT INTO t (b) VALUES ('after removal')")
	survivors := map[int]*client.Client{lead: cl, other: c.client(other)}
	terms := map[int]uint64{}
	for id, s := range survivors {
		terms[id] = nodeStatus(t, ctx, s).GetTerm()
	}
	c.restart(victim)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(c.proc(victim).stderr.String(), "removed from the cluster"); {
		if time.Now().After(deadline) {
			t.Fatalf("restarted node %d did not log its removal within 30s\n%s", victim, c.stderrAll())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if log := c.proc(victim).stderr.String(); !strings.Contains(log, "config_index=") || !strings.Contains(log, "reported_by=") {
		t.Fatalf("removal logged without its evidence:\n%s", log)
	}
	// For several election timeouts (800ms to 1.6s by default) the
	// removed node stays a follower at one term: a window in which
	// something must not happen, sampled every 100ms.
	vc := c.client(victim)
	vterm := nodeStatus(t, ctx, vc).GetTerm()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if st := nodeStatus(t, ctx, vc); st.GetRole() != "follower" || st.GetTerm() != vterm {
			t.Fatalf("removed node %d is %s at term %d (was at %d): it still campaigns\n%s", victim, st.GetRole(), st.GetTerm(), vterm, c.stderrAll())
		}
	}
	for id, s := range survivors {
		if st := nodeStatus(t, ctx, s); st.GetTerm() != terms[id] {
			t.Fatalf("survivor %d moved from term %d to %d", id, terms[id], st.GetTerm())
		}
	}
	if l := c.leaderSeenBy(lead); l != lead {
		t.Fatalf("node %d no longer leads (leader seen: %d)", lead, l)
	}
	mustExec(t, ctx, cl, "INSERT INTO t (b) VALUES ('still writable')")
}
