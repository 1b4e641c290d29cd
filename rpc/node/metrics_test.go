package node_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/node"
	"go.uber.org/goleak"
)

// startMetricsCluster starts a 3-node cluster in the test process, each
// node with a metrics listener on a port of its own.
func startMetricsCluster(t *testing.T) map[raft.NodeID]*node.Node {
	t.Helper()
	lis := map[raft.NodeID]net.Listener{}
	var peers []raft.Member
	for id := raft.NodeID(1); id <= 3; id++ {
		lis[id] = listenLoopback(t)
		peers = append(peers, raft.Member{ID: id, Addr: lis[id].Addr().String()})
	}
	nodes := map[raft.NodeID]*node.Node{}
	for id := raft.NodeID(1); id <= 3; id++ {
		n, err := node.Start(context.Background(), node.Config{
			ID: id, Peers: peers, DataDir: filepath.Join(t.TempDir(), fmt.Sprint(id)), Listener: lis[id],
			MetricsListener: listenLoopback(t), TickInterval: 20 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		nodes[id] = n
		t.Cleanup(func() { n.Stop() })
	}
	return nodes
}

// scrape fetches a node's /metrics over HTTP, lints the exposition
// (promtool check metrics' rules) and parses it.
func scrape(t *testing.T, n *node.Node) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + n.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %v %s", err, resp.Status)
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil || len(problems) > 0 {
		t.Fatalf("lint of /metrics: %v %+v", err, problems)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

// value returns the value of the sample of family name whose labels
// include the given name/value pairs; ok is false when there is none.
func value(mfs map[string]*dto.MetricFamily, name string, labels ...string) (v float64, ok bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue(), true
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue(), true
		case m.GetHistogram() != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func mustValue(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	v, ok := value(mfs, name, labels...)
	if !ok {
		t.Fatalf("/metrics has no %s%v", name, labels)
	}
	return v
}

// waitForLeader waits until one of nodes leads and the others know it.
func waitForLeader(t *testing.T, nodes map[raft.NodeID]*node.Node) *node.Node {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, n := range nodes {
			if !n.Raft().IsLeader() {
				continue
			}
			agreed := true
			for _, o := range nodes {
				agreed = agreed && o.Raft().Leader() == n.Raft().ID()
			}
			if agreed {
				return n
			}
		}
	}
	t.Fatal("no leader all nodes agree on within 30s")
	return nil
}

// dialNode returns a client of n (whatever its role) and a context of a
// minute; both end with the test.
func dialNode(t *testing.T, n *node.Node) (*client.Client, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	cl, err := client.Dial(ctx, n.Addr(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl, ctx
}

// writeRows inserts rows through a client of n.
func writeRows(t *testing.T, n *node.Node, from, to int) {
	t.Helper()
	cl, ctx := dialNode(t, n)
	if _, err := cl.Exec(ctx, "CREATE TABLE IF NOT EXISTS t (a INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	for i := from; i < to; i++ {
		if r, err := cl.Exec(ctx, fmt.Sprintf("INSERT INTO t VALUES (%d)", i)); err != nil || r.Err != nil {
			t.Fatalf("insert %d: %v %v", i, err, r.Err)
		}
	}
}

// readAndFail runs one linearizable read and one write that fails with an
// SQL error through a client of n.
func readAndFail(t *testing.T, n *node.Node) {
	t.Helper()
	cl, ctx := dialNode(t, n)
	if _, err := cl.Query(ctx, client.Linearizable, "SELECT count(*) FROM t"); err != nil {
		t.Fatal(err)
	}
	if r, err := cl.Exec(ctx, "INSERT INTO no_such_table VALUES (1)"); err != nil || r.Err == nil {
		t.Fatalf("write to a missing table: %+v %v", r, err)
	}
}

// openSession opens a session through a client of n and runs a write and
// a read on it; the session stays open until the test ends.
func openSession(t *testing.T, n *node.Node) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cl, err := client.Dial(ctx, n.Addr(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	s, err := cl.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	reqs := []client.Request{{Write: []client.Statement{{SQL: "INSERT INTO t VALUES (1000)"}}}, {Read: "SELECT count(*) FROM t"}}
	for _, r := range reqs {
		if err := s.Submit(r); err != nil {
			t.Fatal(err)
		}
	}
	for range reqs {
		if rep, err := s.Next(); err != nil || rep.Err != nil {
			t.Fatalf("session: %v %v", err, rep.Err)
		}
	}
}

// dashboardMetrics are the metric families the Grafana dashboard
// graphs (a histogram's _bucket, _sum and _count series name it).
func dashboardMetrics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "scripts", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct{ Expr string } `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	name := regexp.MustCompile(`\b(resqlite|process|go)_[a-z_]+`)
	seen := map[string]bool{}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range name.FindAllString(tg.Expr, -1) {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					m = strings.TrimSuffix(m, suffix)
				}
				seen[m] = true
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("the dashboard graphs only %d metrics: %v", len(seen), seen)
	}
	return slices.Sorted(maps.Keys(seen))
}

// checkDashboard checks that every metric the dashboard graphs is
// exposed by some node; snapshot histograms appear only once a snapshot
// was sent or installed, which this test does not cause.
func checkDashboard(t *testing.T, scraped []map[string]*dto.MetricFamily) {
	t.Helper()
	for _, m := range dashboardMetrics(t) {
		if strings.HasPrefix(m, "resqlite_raft_snapshot_") && m != "resqlite_raft_snapshot_index" {
			continue
		}
		found := false
		for _, mfs := range scraped {
			found = found || mfs[m] != nil
		}
		if !found {
			t.Errorf("the dashboard graphs %s, which no node exposes", m)
		}
	}
}

// A 3-node cluster's /metrics move as the cluster works: the commit and
// applied indexes rise under writes, exactly one node says it leads, and
// stopping the leader increments the leader changes the survivors count.
// Every node's exposition passes the lint.
func TestMetricsOfAClusterUnderWrites(t *testing.T) {
	nodes := startMetricsCluster(t)
	lead := waitForLeader(t, nodes)
	before := map[raft.NodeID]map[string]*dto.MetricFamily{}
	for id, n := range nodes {
		before[id] = scrape(t, n)
	}
	var follower *node.Node
	for id, n := range nodes {
		if id != lead.Raft().ID() {
			follower = n
		}
	}
	writeRows(t, follower, 0, 20) // forwarded to the leader
	readAndFail(t, follower)
	openSession(t, follower)
	leaders := 0.0
	var scraped []map[string]*dto.MetricFamily
	for id, n := range nodes {
		after := scrape(t, n)
		for _, name := range []string{"resqlite_raft_commit_index", "resqlite_raft_applied_index"} {
			for deadline := time.Now().Add(20 * time.Second); mustValue(t, after, name) < mustValue(t, before[id], name)+22; {
				if time.Now().After(deadline) {
					t.Fatalf("node %d: %s went from %v to %v after 22 writes", id, name, mustValue(t, before[id], name), mustValue(t, after, name))
				}
				time.Sleep(20 * time.Millisecond)
				after = scrape(t, n)
			}
		}
		scraped = append(scraped, after)
		leaders += mustValue(t, after, "resqlite_raft_is_leader")
		if got := mustValue(t, after, "resqlite_raft_term"); got < 1 {
			t.Fatalf("node %d: term %v", id, got)
		}
		if got := mustValue(t, after, "resqlite_wal_fsync_duration_seconds"); got < 1 {
			t.Fatalf("node %d: %v fsyncs observed", id, got)
		}
		if _, ok := value(after, "resqlite_raft_snapshot_index"); !ok {
			t.Fatalf("node %d: no snapshot index", id)
		}
		if got := mustValue(t, after, "resqlite_raft_log_size_bytes"); got <= 0 {
			t.Fatalf("node %d: log size %v", id, got)
		}
	}
	if leaders != 1 {
		t.Fatalf("%v nodes report resqlite_raft_is_leader 1", leaders)
	}
	checkLeaderMetrics(t, scrape(t, lead), follower)
	checkFollowerMetrics(t, scrape(t, follower))
	checkDashboard(t, scraped)

	// Stopping the leader makes the survivors see a new one.
	changes := map[raft.NodeID]float64{}
	for id, n := range nodes {
		if n != lead {
			changes[id] = mustValue(t, scrape(t, n), "resqlite_raft_leader_changes_total")
		}
	}
	lead.Stop()
	delete(nodes, lead.Raft().ID())
	waitForLeader(t, nodes)
	for id, n := range nodes {
		if got := mustValue(t, scrape(t, n), "resqlite_raft_leader_changes_total"); got <= changes[id] {
			t.Fatalf("node %d: leader changes %v after the leader stopped, %v before", id, got, changes[id])
		}
	}
	for _, n := range nodes {
		if problems, err := testutil.GatherAndLint(n.Metrics()); err != nil || len(problems) > 0 {
			t.Fatalf("lint of the registry: %v %+v", err, problems)
		}
	}
}

// checkLeaderMetrics checks what the leader reports of its proposals and
// of the follower the writes went through.
func checkLeaderMetrics(t *testing.T, mfs map[string]*dto.MetricFamily, follower *node.Node) {
	t.Helper()
	peer := fmt.Sprint(follower.Raft().ID())
	if got := mustValue(t, mfs, "resqlite_raft_proposals_total", "result", "applied"); got < 22 {
		t.Fatalf("leader: %v proposals applied, want at least 22", got)
	}
	if got := mustValue(t, mfs, "resqlite_client_sessions"); got != 0 {
		t.Fatalf("leader: %v client sessions; the follower's session forwards its writes here, but is the follower's", got)
	}
	if got := mustValue(t, mfs, "resqlite_raft_peer_match_index", "peer", peer); got < 21 {
		t.Fatalf("leader: follower %s match index %v", peer, got)
	}
	if got := mustValue(t, mfs, "resqlite_raft_peer_sent_bytes_total", "peer", peer); got <= 0 {
		t.Fatalf("leader: %v bytes sent to %s", got, peer)
	}
	if got := mustValue(t, mfs, "resqlite_raft_commit_duration_seconds"); got < 21 {
		t.Fatalf("leader: %v commit latencies observed", got)
	}
	if got := mustValue(t, mfs, "resqlite_raft_role", "role", "Leader"); got != 1 {
		t.Fatalf("leader: role Leader %v", got)
	}
}

// checkFollowerMetrics checks what the follower the client wrote through
// reports of its client's statements.
func checkFollowerMetrics(t *testing.T, mfs map[string]*dto.MetricFamily) {
	t.Helper()
	if got := mustValue(t, mfs, "resqlite_statements_total", "kind", "write"); got != 23 {
		t.Fatalf("follower: %v write statements, want 23 (21, the failing one, the session's)", got)
	}
	if got := mustValue(t, mfs, "resqlite_raft_proposals_forwarded_total"); got != 23 {
		t.Fatalf("follower: %v writes forwarded, want 23", got)
	}
	// The pipelined session, and the write stream of each of the two
	// clients that wrote (their Exec calls).
	if got := mustValue(t, mfs, "resqlite_client_sessions"); got != 3 {
		t.Fatalf("follower: %v client sessions, want 3", got)
	}
	if got := mustValue(t, mfs, "resqlite_raft_apply_duration_seconds"); got < 1 {
		t.Fatalf("follower: %v applies observed", got)
	}
	if got := mustValue(t, mfs, "resqlite_reads_total", "consistency", "linearizable"); got != 2 {
		t.Fatalf("follower: %v linearizable reads, want 2 (a query, a session read)", got)
	}
	var errs float64
	for _, m := range mfs["resqlite_statement_errors_total"].GetMetric() {
		errs += m.GetCounter().GetValue()
	}
	if errs != 1 {
		t.Fatalf("follower: %v statement errors, want 1", errs)
	}
}

// A metrics address in use fails Start with a configuration error that
// leaves a new data directory as it was; a free one is served.
func TestMetricsAddrInUseFailsStart(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := ctxT(t, time.Minute)
	taken := listenLoopback(t)
	defer taken.Close()
	dir := filepath.Join(t.TempDir(), "node")
	lis := listenLoopback(t)
	_, err := node.Start(ctx, node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: lis.Addr().String()}}, DataDir: dir,
		Listener: lis, MetricsAddr: taken.Addr().String()})
	if !errors.Is(err, node.ErrConfig) || !strings.Contains(err.Error(), "metrics") {
		t.Fatalf("start with the metrics port in use: %v", err)
	}
	if node.HasData(dir) {
		t.Fatal("the failed start left data behind")
	}
	free := freePorts(t, 1)[0]
	lis = listenLoopback(t)
	n, err := node.Start(ctx, node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: lis.Addr().String()}}, DataDir: dir,
		Listener: lis, MetricsAddr: free})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	if n.MetricsAddr() != free {
		t.Fatalf("metrics on %q, want %q", n.MetricsAddr(), free)
	}
	if body := get(t, "http://"+free+"/debug/pprof/"); !strings.Contains(body, "goroutine") {
		t.Fatalf("pprof index:\n%s", body)
	}
	http.DefaultClient.CloseIdleConnections()
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + free + "/metrics"); err == nil {
		t.Fatal("metrics still served after Stop")
	}
}
