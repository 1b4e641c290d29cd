package rpctest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// ProcCluster is N nodes, each a child process of the test binary (which
// must call RunChildIfRequested in TestMain), each with its own data
// directory. Every child is killed when the test ends, and dies with the
// test process (Linux parent-death signal).
type ProcCluster struct {
	t       testing.TB
	Members []raft.Member
	specs   map[raft.NodeID]ChildSpec
	client  *http.Client

	mu    sync.Mutex
	procs map[raft.NodeID]*exec.Cmd
	exits map[raft.NodeID]chan struct{}
}

// NewProcCluster starts size founding members, ids 1..size, as child
// processes.
func NewProcCluster(t testing.TB, size int) *ProcCluster {
	t.Helper()
	addrs, err := ReserveAddrs(2 * size)
	if err != nil {
		t.Fatal(err)
	}
	c := &ProcCluster{
		t: t, specs: map[raft.NodeID]ChildSpec{}, client: &http.Client{Timeout: 15 * time.Second},
		procs: map[raft.NodeID]*exec.Cmd{}, exits: map[raft.NodeID]chan struct{}{},
	}
	for i := range size {
		c.Members = append(c.Members, raft.Member{ID: raft.NodeID(i + 1), Addr: addrs[2*i]})
	}
	root := t.TempDir()
	for i, m := range c.Members {
		c.specs[m.ID] = ChildSpec{ID: m.ID, Addr: m.Addr, ControlAddr: addrs[2*i+1], Bootstrap: c.Members,
			Dir: filepath.Join(root, fmt.Sprintf("node-%d", m.ID))}
	}
	t.Cleanup(c.cleanup)
	for _, m := range c.Members {
		c.Start(m.ID)
	}
	return c
}

// Start starts (or restarts) node id's process on its data directory.
func (c *ProcCluster) Start(id raft.NodeID) {
	c.t.Helper()
	spec := c.specs[id]
	if err := os.MkdirAll(spec.Dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		c.t.Fatal(err)
	}
	logf, err := os.OpenFile(filepath.Join(spec.Dir, "stderr.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		c.t.Fatalf("rpctest: start node %d: %v", id, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	c.mu.Lock()
	c.procs[id], c.exits[id] = cmd, exited
	c.mu.Unlock()
}

// Kill sends node id SIGKILL and waits for the process to end.
func (c *ProcCluster) Kill(id raft.NodeID) { c.signal(id, syscall.SIGKILL) }

// Stop sends node id SIGTERM (a clean shutdown) and waits for it to end;
// after 10s it is killed.
func (c *ProcCluster) Stop(id raft.NodeID) { c.signal(id, syscall.SIGTERM) }

func (c *ProcCluster) signal(id raft.NodeID, sig syscall.Signal) {
	c.mu.Lock()
	cmd, exited := c.procs[id], c.exits[id]
	delete(c.procs, id)
	c.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}

// Running returns the ids of the running children, ascending.
func (c *ProcCluster) Running() []raft.NodeID {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []raft.NodeID
	for id := range c.procs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// cleanup kills every child; on failure it logs the tail of each node's
// stderr.
func (c *ProcCluster) cleanup() {
	for _, id := range c.Running() {
		c.Kill(id)
	}
	if !c.t.Failed() {
		return
	}
	for _, m := range c.Members {
		b, _ := os.ReadFile(filepath.Join(c.specs[m.ID].Dir, "stderr.log"))
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		c.t.Logf("node %d stderr (tail):\n%s", m.ID, b)
	}
}

// Status asks node id for its status.
func (c *ProcCluster) Status(id raft.NodeID) (ChildStatus, error) {
	var s ChildStatus
	err := c.get(id, "/status", &s)
	return s, err
}

// Entries returns the entries node id has applied.
func (c *ProcCluster) Entries(id raft.NodeID) ([]Applied, error) {
	var out []Applied
	err := c.get(id, "/entries", &out)
	return out, err
}

func (c *ProcCluster) get(id raft.NodeID, path string, v any) error {
	resp, err := c.client.Get("http://" + c.specs[id].ControlAddr + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// ErrNotLeader is returned by ProcCluster.Propose at a node that is not the
// leader: the proposal was not appended.
var ErrNotLeader = errors.New("rpctest: not the leader")

// Propose proposes data at node id and waits until it is applied there.
// An error other than ErrNotLeader leaves the outcome unknown.
func (c *ProcCluster) Propose(id raft.NodeID, data []byte) (uint64, error) {
	resp, err := c.client.Post("http://"+c.specs[id].ControlAddr+"/propose", "application/octet-stream", bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var r proposeReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return 0, err
	}
	if r.NotLeader {
		return 0, fmt.Errorf("%w: %s", ErrNotLeader, r.Error)
	}
	if r.Error != "" {
		return 0, errors.New(r.Error)
	}
	return r.Index, nil
}

// Leader waits up to timeout for a running node that leads in the highest
// term the running nodes report, and returns its id.
func (c *ProcCluster) Leader(timeout time.Duration) raft.NodeID {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var leader raft.NodeID
		var maxTerm, leaderTerm uint64
		for _, id := range c.Running() {
			s, err := c.Status(id)
			if err != nil {
				continue
			}
			maxTerm = max(maxTerm, s.Term)
			if s.IsLeader && s.Term >= leaderTerm {
				leader, leaderTerm = id, s.Term
			}
		}
		if leader != raft.None && leaderTerm == maxTerm {
			return leader
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("rpctest: no leader among %v within %v", c.Running(), timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitEntries waits up to timeout until node id has applied at least n
// entries, and returns them.
func (c *ProcCluster) WaitEntries(id raft.NodeID, n int, timeout time.Duration) []Applied {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got, err := c.Entries(id)
		if err == nil && len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("rpctest: node %d applied %d entries within %v, want %d (err %v)", id, len(got), timeout, n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
