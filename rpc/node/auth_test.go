package node_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/guard"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// testUsers are the users of the auth tests: each one's password is its
// name reversed.
func testUsers() map[string][]string {
	return map[string][]string{
		"owner":  {"read", "write", "schema"},
		"writer": {"read", "write"},
		"reader": {"read"},
		"admin":  {"admin", "status", "read"},
	}
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// writeAuthFile writes users (name: perms) into an auth file (mode 0600).
func writeAuthFile(t *testing.T, dir string, users map[string][]string) string {
	t.Helper()
	type entry struct {
		Username string   `json:"username"`
		Password string   `json:"password"`
		Perms    []string `json:"perms"`
	}
	var entries []entry
	for name, perms := range users {
		h, err := auth.HashPassword(reverse(name))
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry{name, h, perms})
	}
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "users.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// authCluster is a 3-node mutual-TLS cluster with testUsers, seen by the
// harness as admin.
type authCluster struct {
	*testCluster
	p *pki
}

func startAuthCluster(t *testing.T) *authCluster {
	p := newPKI(t)
	args := append(p.nodeArgs(), "-auth", writeAuthFile(t, p.dir, testUsers()))
	opts := client.Options{TLS: clientTLS(t, p.peerCA.File, nil), User: "admin", Password: reverse("admin")}
	return &authCluster{testCluster: startClusterWith(t, 3, opts, args...), p: p}
}

// as connects to node id as user (password pw).
func (c *authCluster) as(t *testing.T, id int, user, pw string) (*client.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, c.proc(id).addr, client.Options{TLS: clientTLS(t, c.p.peerCA.File, nil), User: user, Password: pw, ConnectTimeout: 10 * time.Second})
	if err == nil {
		t.Cleanup(func() { cl.Close() })
	}
	return cl, err
}

func (c *authCluster) mustAs(t *testing.T, id int, user string) *client.Client {
	t.Helper()
	cl, err := c.as(t, id, user, reverse(user))
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	return cl
}

// wantCode requires err to be a gRPC error with code.
func wantCode(t *testing.T, what string, err error, code codes.Code) {
	t.Helper()
	if status.Code(err) != code {
		t.Errorf("%s: %v, want %v", what, err, code)
	}
}

// Every client call is checked at the node that receives it: read users
// cannot write (not even through a follower's forwarding), writers
// cannot change the schema, only admin removes members and takes
// snapshots, and clients without credentials or with a wrong password
// are refused; nothing changes on a refusal.
func TestAuthPermissions(t *testing.T) {
	skipProcessesInShort(t)
	c := startAuthCluster(t)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	f := c.followers(lead)[0]
	owner, writer, reader := c.mustAs(t, f, "owner"), c.mustAs(t, f, "writer"), c.mustAs(t, f, "reader")
	mustExec(t, ctx, owner, "CREATE TABLE t (a INTEGER)")
	executeWrites(t, ctx, writer, 1, 3)

	_, err := reader.Exec(ctx, "INSERT INTO t VALUES (99)")
	wantCode(t, "reader's INSERT through a follower", err, codes.PermissionDenied)
	if s, err := reader.Session(ctx); err == nil {
		s.Submit(client.Request{Write: []client.Statement{{SQL: "INSERT INTO t VALUES (98)"}}})
		r, err := s.Next()
		if err == nil {
			err = r.Err
		}
		if err == nil || !strings.Contains(err.Error(), "lacks the permission") {
			t.Errorf("reader's session write: %v, want a permission error", err)
		}
		s.Close()
	}
	_, err = writer.Exec(ctx, "CREATE TABLE u (a)")
	wantCode(t, "writer's CREATE TABLE", err, codes.PermissionDenied)
	_, err = writer.Exec(ctx, "INSERT INTO t VALUES (97); DROP TABLE t")
	wantCode(t, "writer's INSERT; DROP", err, codes.PermissionDenied)
	checkAppliedOnce(t, ctx, reader, 3)

	_, err = writer.TakeSnapshot(ctx)
	wantCode(t, "writer's snapshot", err, codes.PermissionDenied)
	_, err = writer.RemoveMember(ctx, uint64(f))
	wantCode(t, "writer's remove", err, codes.PermissionDenied)
	if n := len(c.statusOf(lead).GetMembers()); n != 3 {
		t.Fatalf("%d members after a refused remove", n)
	}
	admin := c.mustAs(t, f, "admin")
	if _, err := admin.TakeSnapshot(ctx); err != nil {
		t.Fatalf("admin's snapshot: %v", err)
	}
	_, err = admin.Exec(ctx, "INSERT INTO t VALUES (96)")
	wantCode(t, "admin's INSERT (no write permission)", err, codes.PermissionDenied)

	if _, err := c.as(t, f, "", ""); status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "requires credentials") {
		t.Errorf("no credentials: %v, want UNAUTHENTICATED asking for a user", err)
	}
	if _, err := c.as(t, f, "writer", "wrong"); status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "wrong password") {
		t.Errorf("wrong password: %v, want UNAUTHENTICATED", err)
	}
	checkAppliedOnce(t, ctx, reader, 3)
	other := c.followers(lead)[1]
	if _, err := admin.RemoveMember(ctx, uint64(other)); err != nil {
		t.Fatalf("admin's remove of node %d: %v", other, err)
	}
}

// A client cannot claim an identity the way nodes forward one: the
// forwarded-identity metadata is trusted only from a node's certificate.
func TestAuthForwardedIdentityNeedsNodeCertificate(t *testing.T) {
	skipProcessesInShort(t)
	c := startAuthCluster(t)
	lead := c.waitLeader(10 * time.Second)
	conn, err := grpc.NewClient(c.proc(lead).addr, grpc.WithTransportCredentials(credentials.NewTLS(clientTLS(t, c.p.peerCA.File, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(ctxT(t, 30*time.Second), guard.ForwardedKey, "admin;read,write,schema,admin,status")
	_, err = resqlitepb.NewReSqliteClient(conn).Execute(ctx, &resqlitepb.ExecuteRequest{Statements: []*resqlitepb.Statement{{Sql: []byte("CREATE TABLE x (a)")}}})
	wantCode(t, "a client's forged forwarded identity", err, codes.Unauthenticated)
}

// SIGHUP reloads the auth file: a user added becomes valid; a new file
// that does not load (readable by others) is refused, logged, and the
// users in effect stay.
func TestAuthReloadOnSIGHUP(t *testing.T) {
	skipProcessesInShort(t)
	c := startAuthCluster(t)
	lead := c.waitLeader(10 * time.Second)
	path := filepath.Join(c.p.dir, "users.json")
	if _, err := c.as(t, lead, "newbie", reverse("newbie")); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("unknown user: %v", err)
	}
	users := testUsers()
	users["newbie"] = []string{"read"}
	writeAuthFile(t, c.p.dir, users)
	c.signal(lead, syscall.SIGHUP)
	if !waitFor(t, func() bool { _, err := c.as(t, lead, "newbie", reverse("newbie")); return err == nil }) || !strings.Contains(c.proc(lead).stderr.String(), "added=[newbie]") {
		t.Fatalf("the new user is not accepted after SIGHUP:\n%s", c.proc(lead).stderr.String())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	c.signal(lead, syscall.SIGHUP)
	if !waitFor(t, func() bool { return strings.Contains(c.proc(lead).stderr.String(), "auth file not reloaded") }) {
		t.Fatalf("a bad auth file was not refused:\n%s", c.proc(lead).stderr.String())
	}
	if _, err := c.as(t, lead, "newbie", reverse("newbie")); err != nil {
		t.Fatalf("the users in effect changed after a refused reload: %v", err)
	}
}

// Without TLS, -auth-plaintext lets passwords travel in clear: a follower
// forwards the client's credentials and the leader verifies them again,
// so a read user still cannot write through a follower.
func TestAuthPlaintextForwarding(t *testing.T) {
	skipProcessesInShort(t)
	dir := t.TempDir()
	opts := client.Options{User: "admin", Password: reverse("admin"), PlaintextCredentials: true}
	c := startClusterWith(t, 3, opts, "-auth", writeAuthFile(t, dir, testUsers()), "-auth-plaintext")
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	f := c.followers(lead)[0]
	dial := func(user string) *client.Client {
		cl, err := client.Dial(ctx, c.proc(f).addr, client.Options{User: user, Password: reverse(user), PlaintextCredentials: true, ConnectTimeout: 10 * time.Second})
		if err != nil {
			t.Fatalf("connect as %s: %v", user, err)
		}
		t.Cleanup(func() { cl.Close() })
		return cl
	}
	mustExec(t, ctx, dial("owner"), "CREATE TABLE t (a INTEGER)")
	executeWrites(t, ctx, dial("writer"), 1, 2)
	_, err := dial("reader").Exec(ctx, "INSERT INTO t VALUES (99)")
	wantCode(t, "reader's INSERT through a follower", err, codes.PermissionDenied)
	checkAppliedOnce(t, ctx, dial("reader"), 2)
	if _, err := client.Dial(ctx, c.proc(f).addr, client.Options{User: "reader", Password: "x"}); err == nil || !strings.Contains(err.Error(), "only over TLS") {
		t.Errorf("a client sending a password in clear without -auth-plaintext: %v", err)
	}
}
