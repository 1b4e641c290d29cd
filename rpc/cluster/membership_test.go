package cluster_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// voters returns the voting members the leader reports.
func voters(t *testing.T, ms *resqlitepb.MembersResponse) []uint64 {
	var out []uint64
	for _, m := range ms.GetMembers() {
		if !m.GetLearner() {
			out = append(out, m.GetId())
		}
	}
	return out
}

// A fourth node started with -join becomes a voter and serves reads;
// then a founding follower is removed and stopped, and the cluster keeps
// taking writes.
func TestJoinAndRemove(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	cl := c.client(lead)
	mustExec(t, ctx, cl, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
	for range 50 {
		mustExec(t, ctx, cl, "INSERT INTO t (b) VALUES ('before join')")
	}
	addr4 := freePorts(t, 1)[0]
	c.start(4, addr4, filepath.Join(t.TempDir(), "node-4"), "-join", c.proc(lead).addr, "-listen", addr4)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ms, err := cl.Members(ctx)
		if err == nil && len(voters(t, ms)) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node 4 not a voter: %v %v\n%s", ms, err, c.stderrAll())
		}
		time.Sleep(100 * time.Millisecond)
	}
	c4 := c.client(4)
	mustExec(t, ctx, c4, "INSERT INTO t (b) VALUES ('through node 4')")
	if n := count(t, ctx, c4, 0, "t"); n != 51 {
		t.Fatalf("node 4 reads %d rows, want 51", n)
	}
	// Remove a founding follower, then stop it.
	followers := c.followers(lead)
	victim := followers[0]
	if victim == 4 {
		victim = followers[1]
	}
	if _, err := c4.RemoveMember(ctx, uint64(victim)); err != nil {
		t.Fatalf("remove node %d: %v", victim, err)
	}
	c.kill(victim)
	ms, err := cl.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := voters(t, ms); len(v) != 3 || fmt.Sprint(v) == "" {
		t.Fatalf("voters after removal: %v", v)
	}
	for range 10 {
		mustExec(t, ctx, c4, "INSERT INTO t (b) VALUES ('after removal')")
	}
	if n := count(t, ctx, cl, 0, "t"); n != 61 {
		t.Fatalf("after removal %d rows, want 61", n)
	}
	// The joined node restarts from its data alone: no -join, no -peers,
	// no -listen (its address is in the stored configuration).
	c.kill(4)
	mustExec(t, ctx, cl, "INSERT INTO t (b) VALUES ('while node 4 is down')")
	c.restart(4)
	c4 = c.client(4)
	c4.Observe(cl.SeenIndex())
	for deadline := time.Now().Add(30 * time.Second); ; {
		n, err := c4.Query(ctx, 0, "SELECT count(*) FROM t")
		if err == nil && n.Rows[0][0].Int == 62 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("restarted node 4: %v %v\n%s", n, err, c.stderrAll())
		}
	}
}

// TakeSnapshot compacts a follower's log; a follower that was down while
// the leader compacted catches up (through InstallSnapshot) and has the
// same content digest.
func TestTakeSnapshotAndCatchUp(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	cl := c.client(lead)
	mustExec(t, ctx, cl, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
	down := c.followers(lead)[0]
	c.kill(down)
	// More than the compaction margin (1,000 entries) past the snapshot,
	// so the stopped follower cannot catch up from the log.
	s, err := cl.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1500 {
		if err := s.Submit(client.Request{Write: []client.Statement{{SQL: fmt.Sprintf("INSERT INTO t (b) VALUES ('%d')", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	for range 1500 {
		if r, err := s.Next(); err != nil || r.Err != nil || r.Write.Err != nil {
			t.Fatal(err, r.Err)
		}
	}
	s.Close()
	index, err := cl.TakeSnapshot(ctx)
	if err != nil || index < 1500 {
		t.Fatalf("TakeSnapshot: %d, %v", index, err)
	}
	c.restart(down)
	want, err := cl.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other := c.client(down)
	other.Observe(cl.SeenIndex())
	// The restarted node needs a moment to start and install the
	// snapshot; each Digest call waits up to the read timeout for it.
	got, err := other.Digest(ctx)
	for deadline := time.Now().Add(30 * time.Second); err != nil && time.Now().Before(deadline); {
		got, err = other.Digest(ctx)
	}
	if err != nil {
		t.Fatalf("digest at restarted node %d: %v\n%s", down, err, c.stderrAll())
	}
	if got.GetSha256() != want.GetSha256() || got.GetAppliedIndex() != want.GetAppliedIndex() {
		t.Fatalf("digest at node %d %v, leader %v", down, got, want)
	}
}
