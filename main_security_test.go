package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/rpctest/testcerts"
)

// secureNode is one node of the program with TLS and an auth file, and
// the client flags that reach it over TLS.
type secureNode struct {
	addr string
	tls  []string
	// nodeTLS are the node's TLS flags (another node may use them too).
	nodeTLS []string
	stderr  *syncBuffer
}

// startSecureNode starts a one-node cluster with TLS and the users
// admin (admin, status, read) and reader (read), passwords "pw-" + name.
func startSecureNode(t *testing.T) *secureNode {
	t.Helper()
	dir := t.TempDir()
	ca := testcerts.NewCA(t, dir, "peer")
	cert := ca.Issue(t, dir, testcerts.Leaf{Name: "node", Node: true, Loopback: true})
	var entries []string
	for name, perms := range map[string]string{"admin": `"admin","status","read"`, "reader": `"read"`} {
		h, err := auth.HashPassword("pw-" + name)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, fmt.Sprintf(`{"username":%q,"password":%q,"perms":[%s]}`, name, h, perms))
	}
	users := filepath.Join(dir, "users.json")
	if err := os.WriteFile(users, []byte("["+strings.Join(entries, ",")+"]"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddrs(t, 1)[0]
	nodeTLS := []string{"-cert", cert.Cert, "-key", cert.Key, "-peer-ca", ca.File}
	cmd := exec.Command(programPath, append([]string{"-serve", "-id", "1", "-peers", "1=" + addr, "-data", filepath.Join(dir, "data"),
		"-auth", users, "-log-level", "info"}, nodeTLS...)...)
	n := &secureNode{addr: addr, tls: []string{"-connect", addr, "-tls", "-ca", ca.File}, nodeTLS: nodeTLS, stderr: &syncBuffer{}}
	cmd.Stderr = n.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	t.Setenv(PasswordEnv, "pw-admin")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if r := runProgram(t, dir, ".leader\n", append(n.tls, "-user", "admin")...); r.code == 0 {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node does not answer:\n%s", n.stderr.String())
		}
	}
}

// At the prompt, only admin can .snapshot and .remove; a client without
// credentials, with a wrong password or without TLS gets a one-line
// error and exit 1.
func TestSecureNodeREPL(t *testing.T) {
	skipShort(t)
	n := startSecureNode(t)
	dir := t.TempDir()
	t.Setenv(PasswordEnv, "pw-reader")
	for _, cmd := range []string{".snapshot\n", ".remove 1\n"} {
		r := runProgram(t, dir, cmd, append(n.tls, "-user", "reader")...)
		if r.code != 1 || !strings.Contains(r.stderr, `user "reader" lacks the permission "admin"`) {
			t.Errorf("reader %q: exit %d stdout %q stderr %q", cmd, r.code, r.stdout, r.stderr)
		}
	}
	t.Setenv(PasswordEnv, "pw-admin")
	if r := runProgram(t, dir, ".snapshot\n", append(n.tls, "-user", "admin")...); r.code != 0 || !strings.Contains(r.stdout, "snapshot taken at index") {
		t.Errorf("admin .snapshot: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	t.Setenv(PasswordEnv, "wrong")
	cases := []struct {
		args []string
		want string
	}{
		{n.tls, "requires credentials"},
		{append(n.tls, "-user", "admin"), "wrong password"},
		{[]string{"-connect", n.addr}, "may require TLS"},
	}
	for _, c := range cases {
		r := runProgram(t, dir, ".leader\n", c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d stderr %q, want one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// -user on a terminal asks for the password without echoing it.
func TestPasswordPromptDoesNotEcho(t *testing.T) {
	skipShort(t)
	n := startSecureNode(t)
	os.Unsetenv(PasswordEnv)
	dir := t.TempDir()
	p := startOnPTY(t, dir, append(n.tls, "-user", "admin")...)
	p.Expect("Password for admin: ")
	p.Send("pw-admin\n")
	p.Expect(" leader> ")
	p.Send(".leader\n")
	p.Expect(n.addr)
	p.Send("\x04")
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(p.Output(), "pw-admin") {
		t.Fatalf("the password was echoed:\n%s", p.Output())
	}
}

// The README's secure cluster is two commands away: scripts/certs.sh,
// then scripts/cluster.sh start --tls; a client with the client
// certificate reaches it, one without is refused, and join, status and
// stop work over TLS.
func TestSecureClusterScripts(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	base := freePortRun(t, 4)
	env := append(os.Environ(), "RESQLITE_CLUSTER_DIR="+filepath.Join(dir, "cluster"), "RESQLITE_CLUSTER_PORT="+strconv.Itoa(base),
		"RESQLITE_BIN="+programPath, "RESQLITE_CERTS="+certs, "LOG_LEVEL=error")
	script := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", append([]string{"scripts/" + name}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	script("certs.sh", certs)
	t.Cleanup(func() { script("cluster.sh", "stop") })
	out := script("cluster.sh", "start", "--tls")
	if !strings.Contains(out, "leader: ") || !strings.Contains(out, "-tls -ca "+certs+"/node-ca.pem") {
		t.Fatalf("start --tls:\n%s", out)
	}
	script("cluster.sh", "join", "4")
	addr := "127.0.0.1:" + strconv.Itoa(base+3)
	client := []string{"-connect", addr, "-tls", "-ca", certs + "/node-ca.pem", "-cert", certs + "/client.pem", "-key", certs + "/client-key.pem", "-mode", "list"}
	if r := runProgram(t, dir, "CREATE TABLE t(a);\nINSERT INTO t VALUES (7);\nSELECT a FROM t;\n.nodes\n", client...); r.code != 0 || !strings.HasPrefix(r.stdout, "7\n") || strings.Count(r.stdout, "|yes|") != 4 {
		t.Fatalf("through the joined node: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runProgram(t, dir, ".leader\n", "-connect", addr, "-tls", "-ca", certs+"/node-ca.pem"); r.code != 1 || !strings.Contains(r.stderr, "client certificate") {
		t.Fatalf("without a client certificate: exit %d stderr %q", r.code, r.stderr)
	}
	if out := script("cluster.sh", "status"); !strings.Contains(out, "| 4 ") && !strings.Contains(out, "127.0.0.1:"+strconv.Itoa(base+3)) {
		t.Fatalf("status over TLS:\n%s", out)
	}
}

// backup and restore take the client's TLS and credential flags and need
// admin; -boot on a TLS node restores through the node's own certificate.
func TestSecureBackupRestoreBoot(t *testing.T) {
	skipShort(t)
	n := startSecureNode(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "backup.db")
	tlsFlags := n.tls[2:] // without -connect addr
	backup := append([]string{"backup", "-connect", n.addr, "-out", out}, tlsFlags...)
	t.Setenv(PasswordEnv, "pw-reader")
	if r := runProgram(t, dir, "", append(backup, "-user", "reader")...); r.code != 1 || !strings.Contains(r.stderr, `lacks the permission "admin"`) {
		t.Fatalf("reader's backup: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	t.Setenv(PasswordEnv, "pw-admin")
	if r := runProgram(t, dir, "", append(backup, "-user", "admin")...); r.code != 0 || !strings.Contains(r.stdout, "backup of") {
		t.Fatalf("admin's backup: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	restore := append(append([]string{"restore", "-connect", n.addr}, tlsFlags...), "-user", "admin", out)
	if r := runProgram(t, dir, "", restore...); r.code != 0 {
		t.Fatalf("admin's restore: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	addr := freeAddrs(t, 1)[0]
	boot := append([]string{"-id", "1", "-peers", "1=" + addr, "-data", filepath.Join(dir, "booted"), "-boot", out, "-batch", os.DevNull}, n.nodeTLS...)
	if r := runProgram(t, dir, "", boot...); r.code != 0 || !strings.Contains(r.stderr, "booted from") {
		t.Fatalf("-boot on a TLS node: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}
