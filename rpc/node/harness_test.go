package node_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// The program under test, built once per test binary run.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// program returns the path of the resqlite binary, built into a temporary
// directory on first use.
func program(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "resqlite-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "resqlite")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/resqlite/resqlite")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freePorts returns n loopback addresses whose ports were free a moment
// ago. They are picked below the kernel's ephemeral range (where
// outgoing connections take their ports), so that a port is rarely taken
// before its node binds it; a cluster whose node then fails to bind is
// started again on new ports (startCluster, startProxiedCluster).
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	for len(out) < n {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		if slices.Contains(out, addr) {
			continue
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		l.Close()
		out = append(out, addr)
	}
	return out
}

// proc is one node process.
type proc struct {
	id     int
	addr   string
	dir    string
	cmd    *exec.Cmd
	stderr *lockedWriter
	exited chan struct{}
}

// testCluster is a set of node processes of one cluster.
type testCluster struct {
	t     testing.TB
	bin   string
	peers string
	extra []string
	// opts are the client options of the test's clients (TLS, a user).
	opts  client.Options
	mu    sync.Mutex
	procs map[int]*proc
}

// startCluster starts n nodes on loopback ports, each in its own
// temporary data directory, and waits for a leader. Every process is
// killed when the test ends.
func startCluster(t testing.TB, n int, extra ...string) *testCluster {
	t.Helper()
	return startClusterWith(t, n, client.Options{}, extra...)
}

// startClusterWith is startCluster with the clients' options opts.
func startClusterWith(t testing.TB, n int, opts client.Options, extra ...string) *testCluster {
	t.Helper()
	bin := program(t)
	for attempt := 0; ; attempt++ {
		c := &testCluster{t: t, bin: bin, extra: extra, opts: opts, procs: map[int]*proc{}}
		addrs := freePorts(t, n)
		var parts []string
		for i, a := range addrs {
			parts = append(parts, fmt.Sprintf("%d=%s", i+1, a))
		}
		c.peers = strings.Join(parts, ",")
		t.Cleanup(c.killAll)
		for i, a := range addrs {
			c.start(i+1, a, filepath.Join(t.TempDir(), fmt.Sprintf("node-%d", i+1)), "-peers", c.peers)
		}
		if c.waitLeader(10*time.Second) != 0 && c.allRunning() {
			return c
		}
		c.killAll()
		if attempt == 2 {
			t.Fatalf("no leader elected in three attempts; last stderr:\n%s", c.stderrAll())
		}
	}
}

// start runs node id listening on addr with data in dir.
func (c *testCluster) start(id int, addr, dir string, args ...string) *proc {
	c.t.Helper()
	all := append([]string{"-serve", "-id", fmt.Sprint(id), "-data", dir, "-log-level", "info"}, args...)
	all = append(all, c.extra...)
	cmd := exec.Command(c.bin, all...)
	p := &proc{id: id, addr: addr, dir: dir, cmd: cmd, stderr: &lockedWriter{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.exited) }()
	c.mu.Lock()
	c.procs[id] = p
	c.mu.Unlock()
	return p
}

// restart starts node id again on its address and data directory.
func (c *testCluster) restart(id int, args ...string) *proc {
	c.t.Helper()
	p := c.proc(id)
	return c.start(id, p.addr, p.dir, args...)
}

func (c *testCluster) proc(id int) *proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.procs[id]
}

// allRunning reports whether every node process is still running (one
// that could not bind its port has exited).
func (c *testCluster) allRunning() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		select {
		case <-p.exited:
			return false
		default:
		}
	}
	return true
}

// kill sends SIGKILL to node id and waits for it to exit.
func (c *testCluster) kill(id int) {
	p := c.proc(id)
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// signal sends sig to node id. SIGSTOP returns once every thread of the
// process is stopped: the kernel stops a thread only when it next leaves
// the kernel, so a node in the middle of an fsync may still answer a
// message a few milliseconds after kill(2) returned.
func (c *testCluster) signal(id int, sig syscall.Signal) {
	p := c.proc(id)
	p.cmd.Process.Signal(sig)
	if sig == syscall.SIGSTOP {
		c.waitStopped(p.cmd.Process.Pid)
	}
}

// waitStopped waits until every thread of process pid is stopped (state
// T in /proc/pid/task/*/stat).
func (c *testCluster) waitStopped(pid int) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !allThreadsStopped(pid) {
		if time.Now().After(deadline) {
			c.t.Fatalf("process %d did not stop within 10s of SIGSTOP", pid)
		}
		time.Sleep(time.Millisecond)
	}
}

func allThreadsStopped(pid int) bool {
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	if err != nil || len(stats) == 0 {
		return false
	}
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			return false
		}
		// The state follows the parenthesized command name.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || i+2 >= len(b) || (b[i+2] != 'T' && b[i+2] != 't') {
			return false
		}
	}
	return true
}

// killAll kills every process (SIGCONT first, in case one is stopped).
func (c *testCluster) killAll() {
	c.mu.Lock()
	procs := c.procs
	c.mu.Unlock()
	for _, p := range procs {
		p.cmd.Process.Signal(syscall.SIGCONT)
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	}
}

func (c *testCluster) stderrAll() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for id, p := range c.procs {
		fmt.Fprintf(&b, "--- node %d:\n%s\n", id, p.stderr.String())
	}
	return b.String()
}

// client connects to node id.
func (c *testCluster) client(id int) *client.Client {
	c.t.Helper()
	// A node just (re)started may need a while under load.
	opts := c.opts
	opts.ConnectTimeout = 20 * time.Second
	cl, err := client.Dial(context.Background(), c.proc(id).addr, opts)
	if err != nil {
		c.t.Fatalf("dial node %d: %v", id, err)
	}
	c.t.Cleanup(func() { cl.Close() })
	return cl
}

// leaderSeenBy returns id if node id reports itself leader, or 0.
func (c *testCluster) leaderSeenBy(id int) int {
	st := c.statusOf(id)
	if st.GetRole() != "leader" {
		return 0
	}
	return int(st.GetId())
}

// statusOf returns node id's status, or nil if it exited or does not
// answer within 2s.
func (c *testCluster) statusOf(id int) *resqlitepb.StatusResponse {
	p := c.proc(id)
	select {
	case <-p.exited:
		return nil
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	opts := c.opts
	opts.ConnectTimeout = time.Second
	cl, err := client.Dial(ctx, p.addr, opts)
	if err != nil {
		return nil
	}
	defer cl.Close()
	st, err := cl.Status(ctx)
	if err != nil {
		return nil
	}
	return st
}

// waitAgreedLeader waits up to d until every node of the cluster answers
// and names the same leader at the same term, that leader among them
// reporting itself leader, and returns the leader's id; it fails the
// test otherwise.
func (c *testCluster) waitAgreedLeader(d time.Duration) int {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if l := c.agreedLeader(); l != 0 {
			return l
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the nodes did not agree on a leader within %v\n%s", d, c.stderrAll())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// agreedLeader returns the leader every node names at one term, or 0.
func (c *testCluster) agreedLeader() int {
	c.mu.Lock()
	ids := slices.Sorted(maps.Keys(c.procs))
	c.mu.Unlock()
	var leader, term uint64
	for _, id := range ids {
		st := c.statusOf(id)
		if st == nil || st.GetLeaderId() == 0 || (leader != 0 && (st.GetLeaderId() != leader || st.GetTerm() != term)) {
			return 0
		}
		leader, term = st.GetLeaderId(), st.GetTerm()
		if st.GetId() == leader && st.GetRole() != "leader" {
			return 0
		}
	}
	if !slices.Contains(ids, int(leader)) {
		return 0
	}
	return int(leader)
}

// waitLeader waits up to d for a node to report itself leader and
// returns its id, or 0.
func (c *testCluster) waitLeader(d time.Duration) int {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		var ids []int
		for id := range c.procs {
			ids = append(ids, id)
		}
		c.mu.Unlock()
		for _, id := range ids {
			if l := c.leaderSeenBy(id); l != 0 {
				return l
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0
}

// followers returns the ids of the running nodes other than leader, sorted.
func (c *testCluster) followers(leader int) []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for id := range c.procs {
		if id != leader {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// lockedWriter serializes writes to a buffer shared with readers.
type lockedWriter struct {
	mu sync.Mutex
	w  bytes.Buffer
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
