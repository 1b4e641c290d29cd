package node_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/node"
	"go.uber.org/goleak"
)

// A Start that fails on a directory without a node's data leaves it as
// it was: a port in use, a bad address or an unreachable member to join
// through write nothing, so a corrected retry starts as if the first
// attempt never happened (a cluster record left behind would make the
// corrected member list a "different cluster").
func TestFailedStartWritesNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	root := t.TempDir()
	busy := listenLoopback(t)
	defer busy.Close()
	missing := filepath.Join(root, "new", "node-1") // its parent is created too
	empty := filepath.Join(root, "empty")           // exists, empty
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	dead := listenLoopback(t)
	deadAddr := dead.Addr().String()
	dead.Close()
	failures := []struct {
		what string
		cfg  node.Config
	}{
		{"port in use, new directory", node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: busy.Addr().String()}}, DataDir: missing}},
		{"port in use, empty directory", node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: busy.Addr().String()}}, DataDir: empty}},
		{"port 99999", node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: "127.0.0.1:99999"}}, DataDir: missing}},
		{"peer without host", node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: ":5000"}}, DataDir: missing}},
		{"bad -listen", node.Config{ID: 2, Listen: "127.0.0.1:0x10", Join: busy.Addr().String(), DataDir: missing}},
		{"join through a dead member", node.Config{ID: 2, Listener: listenLoopback(t), Join: deadAddr, DataDir: empty}},
	}
	for _, f := range failures {
		fctx, fcancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := node.Start(fctx, f.cfg)
		fcancel()
		if err == nil {
			t.Fatalf("%s: Start succeeded", f.what)
		}
		if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s: %s exists after the failed start (%v)", f.what, filepath.Dir(missing), err)
		}
		if entries, err := os.ReadDir(empty); err != nil || len(entries) != 0 {
			t.Fatalf("%s: %s holds %v after the failed start (%v)", f.what, empty, entries, err)
		}
		t.Logf("%s: %v", f.what, err)
	}
	// The corrected retry, with another member list, starts.
	for _, dir := range []string{missing, empty} {
		lis := listenLoopback(t)
		n, err := node.Start(ctx, node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: lis.Addr().String()}}, DataDir: dir, Listener: lis})
		if err != nil {
			t.Fatalf("corrected start in %s: %v", dir, err)
		}
		if err := n.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// -peers is checked before anything is stored: each address is host:port
// with a port from 1 to 65535.
func TestParsePeersChecksAddresses(t *testing.T) {
	for _, bad := range []string{"1=127.0.0.1:99999", "1=127.0.0.1:0", "1=127.0.0.1:http", "1=:50040", "1=127.0.0.1", "1=127.0.0.1:-1"} {
		if _, err := node.ParsePeers(bad); !errors.Is(err, node.ErrConfig) {
			t.Errorf("ParsePeers(%q) = %v, want a configuration error", bad, err)
		}
	}
	ms, err := node.ParsePeers("1=127.0.0.1:1, 2=[::1]:65535,3=db3.example.org:50040")
	if err != nil || len(ms) != 3 {
		t.Fatalf("valid list: %v %v", ms, err)
	}
}
