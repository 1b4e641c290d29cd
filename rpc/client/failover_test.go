package client

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
)

// serveFake serves srv on a loopback port and returns its address and
// server.
func serveFake(t *testing.T, srv resqlitepb.ReSqliteServer) (string, *grpc.Server) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	resqlitepb.RegisterReSqliteServer(g, srv)
	go g.Serve(lis)
	t.Cleanup(g.Stop)
	return lis.Addr().String(), g
}

// A node that stops (a graceful restart: it closes its listener and
// sends GOAWAY) is failed over at once: the client does not wait for it
// to come back, up to ConnectTimeout, while another node can serve. The
// restarted node's clients used to stall for its whole restart (2.5 s in
// the fault suite's restart nemesis).
func TestStoppedNodeIsFailedOverAtOnce(t *testing.T) {
	a, b := &flakyLeader{}, &flakyLeader{}
	addrA, srvA := serveFake(t, a)
	addrB, _ := serveFake(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const connectTimeout = 3 * time.Second
	c, err := Dial(ctx, addrA, Options{Fallback: []string{addrB}, ConnectTimeout: connectTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatalf("write at %s: %v", addrA, err)
	}
	srvA.GracefulStop()
	start := time.Now()
	if _, err := c.Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatalf("write after %s stopped: %v", addrA, err)
	}
	if d := time.Since(start); d > connectTimeout/3 {
		t.Fatalf("the write took %v after its node stopped; want it failed over to %s at once (connect timeout %v)", d, addrB, connectTimeout)
	}
	if got := c.Addr(); got != addrB {
		t.Fatalf("client talks to %s, want %s", got, addrB)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.writes) != 1 {
		t.Fatalf("%s received %d writes, want 1", addrB, len(b.writes))
	}
}
