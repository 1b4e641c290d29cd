package node_test

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/raftpb"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/rpctest/testcerts"
	"github.com/resqlite/resqlite/rpc/security"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// skipProcessesInShort skips a test of node processes under -short (the
// race run: the processes are built without the race detector, so the
// run would only repeat the test).
func skipProcessesInShort(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: skipped with -short")
	}
}

// pki is the certificates of a secure test cluster.
type pki struct {
	dir              string
	peerCA, clientCA *testcerts.CA
	node             testcerts.Files
}

// newPKI makes a peer CA with one node certificate (for 127.0.0.1, shared
// by every node) and a client CA.
func newPKI(t *testing.T) *pki {
	dir := t.TempDir()
	p := &pki{dir: dir, peerCA: testcerts.NewCA(t, dir, "peer"), clientCA: testcerts.NewCA(t, dir, "client")}
	p.node = p.peerCA.Issue(t, dir, testcerts.Leaf{Name: "node", Node: true, Loopback: true})
	return p
}

// nodeArgs are the TLS flags of a node.
func (p *pki) nodeArgs() []string {
	return []string{"-cert", p.node.Cert, "-key", p.node.Key, "-peer-ca", p.peerCA.File}
}

// clientTLS is a client's TLS configuration trusting ca, with the
// certificate cert if given.
func clientTLS(t *testing.T, ca string, cert *testcerts.Files) *tls.Config {
	t.Helper()
	files := security.ClientFiles{CA: ca}
	if cert != nil {
		files.Cert, files.Key = cert.Cert, cert.Key
	}
	cfg, err := security.ClientConfig(files)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// A 3-node mutual-TLS cluster elects a leader, replicates and survives
// the leader's kill; clients without TLS or trusting another CA get a
// one-line error that says so.
func TestTLSClusterSurvivesLeaderKill(t *testing.T) {
	skipProcessesInShort(t)
	p := newPKI(t)
	c := startClusterWith(t, 3, client.Options{TLS: clientTLS(t, p.peerCA.File, nil)}, p.nodeArgs()...)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	w := c.client(c.followers(lead)[0])
	mustExec(t, ctx, w, "CREATE TABLE t (a INTEGER)")
	executeWrites(t, ctx, w, 1, 10)
	c.kill(lead)
	executeWrites(t, ctx, w, 11, 20)
	checkAppliedOnce(t, ctx, w, 20)

	addr := c.proc(c.followers(lead)[0]).addr
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := client.Dial(dctx, addr, client.Options{ConnectTimeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "may require TLS") {
		t.Errorf("plaintext client of a TLS node: %v, want a hint to use TLS", err)
	}
	_, err = client.Dial(dctx, addr, client.Options{ConnectTimeout: 2 * time.Second, TLS: clientTLS(t, p.clientCA.File, nil)})
	if err == nil || !strings.Contains(err.Error(), "not signed by the CA you trust") {
		t.Errorf("client trusting another CA: %v, want a hint about the CA", err)
	}
	if !strings.Contains(c.stderrAll(), "TLS handshake refused") {
		t.Errorf("the refused handshakes were not logged at the node:\n%s", c.stderrAll())
	}
}

// A node with a certificate from another CA cannot join, and a
// certificate of the peer CA without the node marker cannot send Raft
// messages or add a member; each refusal is logged at the receiver.
func TestTLSRefusesForeignNodes(t *testing.T) {
	skipProcessesInShort(t)
	p := newPKI(t)
	c := startClusterWith(t, 3, client.Options{TLS: clientTLS(t, p.peerCA.File, nil)}, p.nodeArgs()...)
	lead := c.waitLeader(10 * time.Second)
	target := c.proc(lead).addr

	otherCA := testcerts.NewCA(t, p.dir, "other")
	intruder := otherCA.Issue(t, p.dir, testcerts.Leaf{Name: "intruder", Node: true, Loopback: true})
	c.extra = nil
	addr := freePorts(t, 1)[0]
	j := c.start(4, addr, filepath.Join(t.TempDir(), "node-4"), "-join", target, "-listen", addr,
		"-cert", intruder.Cert, "-key", intruder.Key, "-peer-ca", otherCA.File)
	select {
	case <-j.exited:
	case <-time.After(time.Minute):
		t.Fatal("the node with a foreign certificate is still running")
	}
	if j.cmd.ProcessState.Success() {
		t.Fatal("the node with a foreign certificate joined")
	}
	if n := len(c.statusOf(lead).GetMembers()); n != 3 {
		t.Fatalf("%d members after a foreign node tried to join", n)
	}

	// A client certificate of the peer CA, without the marker.
	plain := p.peerCA.Issue(t, p.dir, testcerts.Leaf{Name: "notanode", Loopback: true})
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(credentials.NewTLS(clientTLS(t, p.peerCA.File, &plain))))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := ctxT(t, 30*time.Second)
	stream, err := raftpb.NewRaftClient(conn).Replicate(ctx)
	if err == nil {
		stream.Send(&raftpb.MessageBatch{})
		_, err = stream.CloseAndRecv()
	}
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("Raft Replicate with a certificate without the marker: %v, want PERMISSION_DENIED", err)
	}
	_, err = resqlitepb.NewReSqliteClient(conn).AddMember(ctx, &resqlitepb.AddMemberRequest{Id: 9, Address: "127.0.0.1:1"})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("AddMember with a certificate without the marker: %v, want PERMISSION_DENIED", err)
	}
	if n := len(c.statusOf(lead).GetMembers()); n != 3 {
		t.Fatalf("%d members after AddMember without the marker", n)
	}
	logs := c.proc(lead).stderr.String()
	for _, want := range []string{"TLS handshake refused", "peer call refused", "/resqlite.raft.v1.Raft/Replicate", "lacks the node marker"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the receiver's log lacks %q:\n%s", want, logs)
		}
	}
}

// SIGHUP reloads the certificates: after the files are replaced by ones
// of a new CA, new connections use them; a broken file is refused (and
// logged) and the certificates in use stay.
func TestTLSReloadOnSIGHUP(t *testing.T) {
	skipProcessesInShort(t)
	p := newPKI(t)
	c := startClusterWith(t, 1, client.Options{TLS: clientTLS(t, p.peerCA.File, nil)}, p.nodeArgs()...)
	c.waitLeader(10 * time.Second)
	newDir := t.TempDir()
	newCA := testcerts.NewCA(t, newDir, "rotated")
	rotated := newCA.Issue(t, newDir, testcerts.Leaf{Name: "node", Node: true, Loopback: true})
	for src, dst := range map[string]string{newCA.File: p.peerCA.File, rotated.Cert: p.node.Cert, rotated.Key: p.node.Key} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c.signal(1, syscall.SIGHUP)
	c.opts.TLS = clientTLS(t, newCA.File, nil)
	if !waitFor(t, func() bool { return c.statusOf(1) != nil }) {
		t.Fatalf("no connection with the rotated certificate:\n%s", c.stderrAll())
	}
	if !strings.Contains(c.stderrAll(), "certificates reloaded") {
		t.Errorf("the reload was not logged:\n%s", c.stderrAll())
	}
	if err := os.WriteFile(p.node.Cert, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.signal(1, syscall.SIGHUP)
	if !waitFor(t, func() bool { return strings.Contains(c.stderrAll(), "certificates not reloaded") }) {
		t.Fatalf("a broken certificate was not refused:\n%s", c.stderrAll())
	}
	if c.statusOf(1) == nil {
		t.Fatalf("no connection after a refused reload:\n%s", c.stderrAll())
	}
}
