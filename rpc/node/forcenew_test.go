package node_test

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/node"
)

// A 3-node cluster loses two nodes for good. The survivor, restarted
// with -force-new-cluster, leads alone with all its data (and serves
// /metrics on -metrics-addr); restarted again without the flag it stays
// a one-node cluster; two new nodes join it and serve the data.
func TestForceNewClusterRecoversTheSurvivor(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, 3*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	cl := c.client(lead)
	mustExec(t, ctx, cl, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
	for range 30 {
		mustExec(t, ctx, cl, "INSERT INTO t (b) VALUES ('before the disaster')")
	}
	survivor := c.followers(lead)[0]
	for _, id := range []int{1, 2, 3} {
		c.kill(id)
		if id != survivor {
			os.RemoveAll(c.proc(id).dir) // lost for good
		}
	}

	metricsAddr := freePorts(t, 1)[0]
	p := c.restart(survivor, "-force-new-cluster", "-metrics-addr", metricsAddr)
	if c.waitLeader(30*time.Second) != survivor {
		t.Fatalf("the forced survivor does not lead\n%s", c.stderrAll())
	}
	if !strings.Contains(p.stderr.String(), "WARNING: -force-new-cluster") || !strings.Contains(p.stderr.String(), "FORCING A NEW CLUSTER") {
		t.Fatalf("no loud warning on stderr:\n%s", p.stderr.String())
	}
	cs := c.client(survivor)
	checkAlone(t, c, survivor, 30)
	mustExec(t, ctx, cs, "INSERT INTO t (b) VALUES ('after the recovery')")
	if body := get(t, "http://"+metricsAddr+"/metrics"); !strings.Contains(body, "\nresqlite_raft_is_leader 1\n") {
		t.Fatalf("/metrics of the forced survivor:\n%s", body)
	}

	// A restart without the flag stays a one-node cluster.
	c.kill(survivor)
	c.restart(survivor)
	if c.waitLeader(30*time.Second) != survivor {
		t.Fatalf("the survivor restarted without the flag does not lead\n%s", c.stderrAll())
	}
	checkAlone(t, c, survivor, 31)

	// New members join it.
	addrs := freePorts(t, 2)
	for i, id := range []int{4, 5} {
		c.start(id, addrs[i], filepath.Join(t.TempDir(), "node"), "-join", c.proc(survivor).addr, "-listen", addrs[i])
	}
	cs = c.client(survivor)
	deadline := time.Now().Add(90 * time.Second)
	for {
		ms, err := cs.Members(ctx)
		if err == nil && len(voters(t, ms)) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nodes 4 and 5 did not become voters: %v %v\n%s", ms, err, c.stderrAll())
		}
		time.Sleep(100 * time.Millisecond)
	}
	c4 := c.client(4)
	mustExec(t, ctx, c4, "INSERT INTO t (b) VALUES ('through a new member')")
	if n := count(t, ctx, c.client(5), 0, "t"); n != 32 {
		t.Fatalf("new member 5 reads %d rows, want 32", n)
	}
}

// checkAlone checks that node id is its cluster's only voter and holds
// rows rows.
func checkAlone(t *testing.T, c *testCluster, id int, rows int64) {
	t.Helper()
	ctx := ctxT(t, time.Minute)
	cl := c.client(id)
	ms, err := cl.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := voters(t, ms); !slices.Equal(v, []uint64{uint64(id)}) {
		t.Fatalf("voters %v, want only %d", v, id)
	}
	if n := count(t, ctx, cl, 0, "t"); n != rows {
		t.Fatalf("node %d has %d rows, want %d", id, n, rows)
	}
}

// get fetches url and returns its body.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %s", url, err, resp.Status)
	}
	return string(b)
}

// -force-new-cluster refuses a data directory without data (leaving it
// empty) and -join.
func TestForceNewClusterRefusesNoDataAndJoin(t *testing.T) {
	ctx := ctxT(t, time.Minute)
	dir := filepath.Join(t.TempDir(), "node")
	lis := listenLoopback(t)
	_, err := node.Start(ctx, node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: lis.Addr().String()}}, DataDir: dir,
		Listener: lis, ForceNewCluster: true})
	if !errors.Is(err, node.ErrConfig) || !strings.Contains(err.Error(), "holds none") {
		t.Fatalf("force on an empty directory: %v", err)
	}
	if node.HasData(dir) {
		t.Fatal("the refused start left data behind")
	}
	_, err = node.Start(ctx, node.Config{ID: 2, DataDir: dir, Listen: "127.0.0.1:1", Join: "127.0.0.1:2", ForceNewCluster: true})
	if !errors.Is(err, node.ErrConfig) || !strings.Contains(err.Error(), "cannot join") {
		t.Fatalf("force with join: %v", err)
	}
}
