package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/rpctest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// cluster is size real node processes (ids 1..size), each listening on
// its own loopback IP behind a proxy whose address is the member address
// everyone (peers and clients) uses. Every process is killed, with its
// process group, when the test ends.
type cluster struct {
	t       testing.TB
	size    int
	root    string
	addrs   []string // proxy (member) addresses, by id-1
	specs   []childSpec
	proxies []*proxy
	admin   []*grpc.ClientConn
	sched   *schedule

	mu    sync.Mutex
	procs map[int]*proc
}

// proc is one running node process.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	paused bool
}

// newCluster starts size nodes and waits for a leader. Nodes get IPs
// 127.B.C.id with B and C random, so that clusters of concurrent test
// runs do not share them.
func newCluster(t testing.TB, size int, sched *schedule) *cluster {
	t.Helper()
	lis, err := rpctest.ReserveListeners(size)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, size: size, root: t.TempDir(), sched: sched, procs: map[int]*proc{}}
	t.Cleanup(c.cleanup)
	prefix := fmt.Sprintf("127.%d.%d.", 100+rand.IntN(100), 1+rand.IntN(250))
	sources := map[string]int{}
	var members []raft.Member
	for i, l := range lis {
		id := i + 1
		sources[fmt.Sprintf("%s%d", prefix, id)] = id
		c.addrs = append(c.addrs, l.Addr().String())
		members = append(members, raft.Member{ID: raft.NodeID(id), Addr: l.Addr().String()})
	}
	for i, l := range lis {
		id := i + 1
		_, port, _ := net.SplitHostPort(l.Addr().String())
		ip := fmt.Sprintf("%s%d", prefix, id)
		spec := childSpec{ID: raft.NodeID(id), Listen: net.JoinHostPort(ip, port), Peers: members,
			DataDir: filepath.Join(c.root, fmt.Sprintf("node-%d", id)), SourceIP: ip}
		c.specs = append(c.specs, spec)
		c.proxies = append(c.proxies, newProxy(l, spec.Listen, sources))
		conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		c.admin = append(c.admin, conn)
	}
	for id := 1; id <= size; id++ {
		c.start(id)
	}
	if c.waitLeader(20*time.Second) == 0 {
		t.Fatalf("no leader within 20s; logs in %s", c.root)
	}
	return c
}

// logPath is node id's log file (stderr of every run of its process).
func (c *cluster) logPath(id int) string {
	return filepath.Join(c.root, fmt.Sprintf("node-%d.log", id))
}

// start starts node id's process on its data directory.
func (c *cluster) start(id int) {
	c.t.Helper()
	raw, err := json.Marshal(c.specs[id-1])
	if err != nil {
		c.t.Fatal(err)
	}
	logf, err := os.OpenFile(c.logPath(id), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		c.t.Fatalf("start node %d: %v", id, err)
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	c.mu.Lock()
	c.procs[id] = p
	c.mu.Unlock()
}

// kill sends SIGKILL to node id's process group and waits for it.
func (c *cluster) kill(id int) { c.end(id, syscall.SIGKILL) }

// stop sends SIGTERM to node id's process group and waits for it to exit
// (a graceful stop: a leader hands leadership over first).
func (c *cluster) stop(id int) { c.end(id, syscall.SIGTERM) }

// end sends sig to node id's process group and waits for it to exit;
// after 10 s it reports the node and kills it.
func (c *cluster) end(id int, sig syscall.Signal) {
	c.mu.Lock()
	p := c.procs[id]
	delete(c.procs, id)
	c.mu.Unlock()
	if p == nil {
		return
	}
	syscall.Kill(-p.cmd.Process.Pid, sig)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		c.t.Errorf("node %d did not exit within 10s of %v", id, sig)
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	}
}

// pause stops (SIGSTOP) or continues (SIGCONT) node id.
func (c *cluster) pause(id int, stop bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.procs[id]
	if p == nil {
		return
	}
	sig := syscall.SIGCONT
	if stop {
		sig = syscall.SIGSTOP
	}
	syscall.Kill(-p.cmd.Process.Pid, sig)
	p.paused = stop
}

// partition cuts the traffic of each pair [from, to]: to's proxy no
// longer passes from's connections. Nil heals every cut.
func (c *cluster) partition(cuts [][2]int) {
	in := make([]map[int]bool, c.size)
	for i := range in {
		in[i] = map[int]bool{}
	}
	for _, cut := range cuts {
		in[cut[1]-1][cut[0]] = true
	}
	for i, p := range c.proxies {
		p.setCut(in[i])
	}
}

// heal lifts every fault: partitions healed, paused nodes continued,
// killed nodes restarted.
func (c *cluster) heal() {
	c.partition(nil)
	for id := 1; id <= c.size; id++ {
		c.mu.Lock()
		p := c.procs[id]
		paused := p != nil && p.paused
		c.mu.Unlock()
		switch {
		case p == nil:
			c.start(id)
		case paused:
			c.pause(id, false)
		}
	}
}

// status asks node id (through its proxy) for its status.
func (c *cluster) status(ctx context.Context, id int) (*resqlitepb.StatusResponse, error) {
	return resqlitepb.NewReSqliteClient(c.admin[id-1]).Status(ctx, &resqlitepb.StatusRequest{})
}

// leader returns the node that leads in the highest term any node
// reports within 500ms, or 0.
func (c *cluster) leader() int {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	sts := c.statuses(ctx)
	var leader int
	var maxTerm, leaderTerm uint64
	for id, st := range sts {
		if st == nil {
			continue
		}
		maxTerm = max(maxTerm, st.GetTerm())
		if st.GetRole() == "leader" && st.GetTerm() >= leaderTerm {
			leader, leaderTerm = id, st.GetTerm()
		}
	}
	if leader != 0 && leaderTerm == maxTerm {
		return leader
	}
	return 0
}

// statuses asks every node for its status at once; a node that does not
// answer has a nil entry. Index 0 is unused.
func (c *cluster) statuses(ctx context.Context) []*resqlitepb.StatusResponse {
	out := make([]*resqlitepb.StatusResponse, c.size+1)
	var wg sync.WaitGroup
	for id := 1; id <= c.size; id++ {
		wg.Go(func() {
			if st, err := c.status(ctx, id); err == nil {
				out[id] = st
			}
		})
	}
	wg.Wait()
	return out
}

// waitLeader waits up to timeout for a leader and returns it (0: none).
func (c *cluster) waitLeader(timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if id := c.leader(); id != 0 {
			return id
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0
}

// cleanup kills every process group and closes the proxies.
func (c *cluster) cleanup() {
	for id := 1; id <= c.size; id++ {
		c.kill(id)
	}
	for _, p := range c.proxies {
		p.Close()
	}
	for _, a := range c.admin {
		a.Close()
	}
}
