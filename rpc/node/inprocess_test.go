package node_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/wal"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/node"
	"go.uber.org/goleak"
)

// listenLoopback returns a listener on a free loopback port, for a node
// started in the test process (node.Config.Listener): nothing probes
// for a port, so nothing can take it before the node serves on it.
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return lis
}

// startInProcess starts a single-node cluster inside the test process (so
// the race detector sees the service) on a listener of its own.
func startInProcess(t *testing.T, dir string) *node.Node {
	t.Helper()
	lis := listenLoopback(t)
	n, err := node.Start(context.Background(), node.Config{
		ID: 1, Peers: []raft.Member{{ID: 1, Addr: lis.Addr().String()}}, DataDir: dir, Listener: lis,
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A node started in the test process serves Execute, Query, a session
// and Dump, refuses a second start on its data directory, and stops
// without leaking goroutines.
func TestInProcessNodeStopsCleanly(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := filepath.Join(t.TempDir(), "node")
	n := startInProcess(t, dir)
	stopped := false
	defer func() {
		if !stopped {
			n.Stop()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := client.Dial(ctx, n.Addr(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for deadline := time.Now().Add(10 * time.Second); !n.Raft().IsLeader(); {
		if time.Now().After(deadline) {
			t.Fatal("no leader")
		}
		time.Sleep(20 * time.Millisecond)
	}
	s, err := cl.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reqs := []client.Request{{Write: []client.Statement{{SQL: "CREATE TABLE t (a INTEGER PRIMARY KEY, b)"}}}}
	for i := range 100 {
		reqs = append(reqs, client.Request{Write: []client.Statement{{SQL: "INSERT INTO t (b) VALUES (?)", Params: []client.Param{{Value: client.Value{Type: 3, Text: fmt.Sprint(i)}}}}}})
		if i%10 == 0 {
			reqs = append(reqs, client.Request{Read: "SELECT count(*) FROM t"})
		}
	}
	reqs = append(reqs, client.Request{Write: []client.Statement{{SQL: "INSERT INTO t (b) VALUES (random())"}}})
	for _, r := range reqs {
		if err := s.Submit(r); err != nil {
			t.Fatal(err)
		}
	}
	writes := 0
	for i, r := range reqs {
		rep, err := s.Next()
		if err != nil || rep.Err != nil {
			t.Fatalf("reply %d: %v %v", i, err, rep.Err)
		}
		switch {
		case r.Write == nil:
			// It waited for the inserts before it (the CREATE is one of
			// the writes); later ones may be applied too.
			if got := rep.Rows.Rows[0][0].Int; got < int64(writes-1) {
				t.Fatalf("read %d after %d inserts saw %d rows", i, writes-1, got)
			}
		case i == len(reqs)-1:
			// Refused by the pre-check, or (if the pre-check ran before
			// the table existed here) at apply.
			if rep.Write.Err == nil || !strings.Contains(rep.Write.Err.Message, "random") {
				t.Fatalf("random() write: %+v", rep.Write)
			}
		default:
			writes++
		}
	}
	s.Close()
	// The client's write goes on its session's stream, which is not
	// pre-checked: apply refuses random(), on every node alike, as the
	// write's result.
	r, err := cl.Exec(ctx, "INSERT INTO t (b) VALUES (random())")
	if err != nil || r.Err == nil || !strings.Contains(r.Err.Message, "random") {
		t.Fatalf("random() write: %+v %v", r, err)
	}
	var dump strings.Builder
	if _, err := cl.Dump(ctx, &dump); err != nil || !strings.Contains(dump.String(), "INSERT INTO t VALUES(100,'99');") {
		t.Fatalf("dump: %v\n%s", err, dump.String())
	}
	// The data directory is locked while the node runs.
	if _, err := node.Start(ctx, node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}}, DataDir: dir}); !errors.Is(err, wal.ErrLocked) || !errors.Is(err, node.ErrConfig) {
		t.Fatalf("second start on the same directory: %v", err)
	}
	cl.Close()
	stopped = true
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
}

// A node given a listener serves on it (Listen is then ignored), and a
// Start that fails closes the listener it was given, whether it fails on
// the configuration or on the data directory.
func TestStartTakesOverTheListener(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "node")
	lis := listenLoopback(t)
	addr := lis.Addr().String()
	n, err := node.Start(ctx, node.Config{
		ID: 1, Peers: []raft.Member{{ID: 1, Addr: addr}}, DataDir: dir, Listen: "127.0.0.1:1", Listener: lis,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	if n.Addr() != addr {
		t.Fatalf("node serves on %s, want its listener's %s", n.Addr(), addr)
	}
	cl, err := client.Dial(ctx, addr, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Status(ctx); err != nil {
		t.Fatalf("status over the given listener: %v", err)
	}
	failures := []node.Config{
		{ID: 1},               // no data directory
		{ID: 1, DataDir: dir}, // locked by the running node
	}
	for i, cfg := range failures {
		cfg.Listener = listenLoopback(t)
		if _, err := node.Start(ctx, cfg); !errors.Is(err, node.ErrConfig) {
			t.Fatalf("case %d: Start returned %v, want a configuration error", i, err)
		}
		if !closed(cfg.Listener) {
			t.Fatalf("case %d: the failed Start left its listener open", i)
		}
	}
}

// closed reports whether lis was closed: Accept fails with net.ErrClosed
// at once, where on an open listener it waits for the deadline.
func closed(lis net.Listener) bool {
	tl := lis.(*net.TCPListener)
	tl.SetDeadline(time.Now().Add(time.Second))
	_, err := tl.Accept()
	return errors.Is(err, net.ErrClosed)
}
