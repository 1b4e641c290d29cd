package security_test

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/rpctest/testcerts"
	"github.com/resqlite/resqlite/rpc/security"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// serve serves a health service with n's server credentials on loopback
// and returns its address.
func serve(t *testing.T, n *security.NodeTLS) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.Creds(n.ServerCredentials()))
	healthpb.RegisterHealthServer(s, health.NewServer())
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return lis.Addr().String()
}

// check calls the health service at addr with dial option opt.
func check(t *testing.T, addr string, opt grpc.DialOption) error {
	t.Helper()
	c, err := grpc.NewClient(addr, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(c).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

func TestNodesTalkOverMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testcerts.NewCA(t, dir, "peer")
	f := ca.Issue(t, dir, testcerts.Leaf{Name: "node", Node: true, Loopback: true})
	n, err := security.LoadNode(security.NodeFiles{Cert: f.Cert, Key: f.Key, PeerCA: ca.File}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := check(t, serve(t, n), n.DialOption()); err != nil {
		t.Fatal(err)
	}
}

// A node's own certificate must carry the marker and chain to the peer
// CA, or the node does not start.
func TestLoadNodeRefusesCertificatesPeersWouldRefuse(t *testing.T) {
	dir := t.TempDir()
	ca := testcerts.NewCA(t, dir, "peer")
	other := testcerts.NewCA(t, dir, "other")
	plain := ca.Issue(t, dir, testcerts.Leaf{Name: "plain", Loopback: true})
	if _, err := security.LoadNode(security.NodeFiles{Cert: plain.Cert, Key: plain.Key, PeerCA: ca.File}, nil); err == nil || !strings.Contains(err.Error(), "node marker") {
		t.Errorf("certificate without the marker: %v", err)
	}
	foreign := other.Issue(t, dir, testcerts.Leaf{Name: "foreign", Node: true, Loopback: true})
	if _, err := security.LoadNode(security.NodeFiles{Cert: foreign.Cert, Key: foreign.Key, PeerCA: ca.File}, nil); err == nil || !strings.Contains(err.Error(), "does not chain") {
		t.Errorf("certificate of another CA: %v", err)
	}
}

// Reload takes new files, reports whether they changed, and keeps the
// files in use when the new ones do not load.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	ca := testcerts.NewCA(t, dir, "peer")
	f := ca.Issue(t, dir, testcerts.Leaf{Name: "node", Node: true, Loopback: true})
	n, err := security.LoadNode(security.NodeFiles{Cert: f.Cert, Key: f.Key, PeerCA: ca.File}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := n.Reload(); err != nil || changed {
		t.Fatalf("reload of the same files: changed %v, %v", changed, err)
	}
	ca.Issue(t, dir, testcerts.Leaf{Name: "node", Node: true, Loopback: true}) // rotated
	if changed, err := n.Reload(); err != nil || !changed {
		t.Fatalf("reload of a new certificate: changed %v, %v", changed, err)
	}
	if err := os.WriteFile(f.Cert, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Reload(); err == nil {
		t.Fatal("a broken certificate was taken")
	}
	if err := check(t, serve(t, n), n.DialOption()); err != nil {
		t.Fatalf("after a refused reload: %v", err)
	}
}
