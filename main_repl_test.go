package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine"
)

// These tests drive the real program: built once into a temporary
// directory, run as child processes on loopback ports with their own
// temporary data directories, and killed when a test ends.

var programPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "resqlite-main-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	programPath = filepath.Join(dir, "resqlite")
	if out, err := exec.Command("go", "build", "-o", programPath, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the program printed.
type result struct {
	stdout, stderr string
	code           int
}

// runProgram runs the program in dir with stdin and args, bounded in time.
func runProgram(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, programPath, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return result{out.String(), errb.String(), 0}
	case errors.As(err, &ee) && ctx.Err() == nil:
		return result{out.String(), errb.String(), ee.ExitCode()}
	}
	t.Fatalf("%v: %v\nstderr:\n%s", args, err, errb.String())
	return result{}
}

// freeAddrs returns n loopback addresses whose ports were free a moment
// ago; callers retry on new ones when a node fails to bind.
func freeAddrs(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().String())
	}
	for _, l := range ls {
		l.Close()
	}
	return out
}

// serveChild is one -serve child process.
type serveChild struct {
	addr   string
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCluster starts n -serve nodes of the program (n = 1: a single-node
// cluster) and waits until one leads. Every child is killed when the test
// ends, also on failure.
func startCluster(t *testing.T, n int) []*serveChild {
	t.Helper()
	return startClusterEnv(t, n, nil)
}

// startClusterEnv is startCluster with env added to every node's
// environment.
func startClusterEnv(t *testing.T, n int, env []string) []*serveChild {
	t.Helper()
	for attempt := 0; ; attempt++ {
		addrs := freeAddrs(t, n)
		var peers []string
		for i, a := range addrs {
			peers = append(peers, fmt.Sprintf("%d=%s", i+1, a))
		}
		var nodes []*serveChild
		for i, a := range addrs {
			cmd := exec.Command(programPath, "-serve", "-id", fmt.Sprint(i+1), "-peers", strings.Join(peers, ","),
				"-data", filepath.Join(t.TempDir(), fmt.Sprintf("node-%d", i+1)))
			cmd.Env = append(os.Environ(), env...)
			nd := &serveChild{addr: a, cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
			cmd.Stderr = nd.stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { cmd.Wait(); close(nd.exited) }()
			nodes = append(nodes, nd)
		}
		kill := func() {
			for _, nd := range nodes {
				nd.cmd.Process.Signal(syscall.SIGKILL)
				<-nd.exited
			}
		}
		if waitForLeader(nodes, 15*time.Second) {
			t.Cleanup(kill)
			return nodes
		}
		var logs strings.Builder
		for i, nd := range nodes {
			fmt.Fprintf(&logs, "--- node %d\n%s", i+1, nd.stderr.String())
		}
		kill()
		if attempt == 2 {
			t.Fatalf("no leader in three attempts:\n%s", logs.String())
		}
	}
}

// waitForLeader waits until every node knows the same leader.
func waitForLeader(nodes []*serveChild, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for ctx.Err() == nil {
		agreed := true
		var leader uint64
		for _, nd := range nodes {
			select {
			case <-nd.exited:
				return false
			default:
			}
			c, err := client.Dial(ctx, nd.addr, client.Options{ConnectTimeout: time.Second})
			if err != nil {
				agreed = false
				break
			}
			st, err := c.Status(ctx)
			c.Close()
			if err != nil || st.GetLeaderId() == 0 || (leader != 0 && st.GetLeaderId() != leader) {
				agreed = false
				break
			}
			leader = st.GetLeaderId()
		}
		if agreed {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// digest returns the database digest at the node at addr once it has
// applied index (0: whatever it has).
func digest(t *testing.T, addr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, addr, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A linearizable read first, so the node has applied every write
	// committed before it.
	if _, err := c.Query(ctx, client.Linearizable, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	d, err := c.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return d.GetSha256()
}

// resetDatabase drops every table, view and trigger through the node at
// addr, so the next script starts from an empty database.
func resetDatabase(t *testing.T, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, addr, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rows, err := c.Query(ctx, client.Linearizable, `SELECT type, name FROM sqlite_schema
		WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND `+statemachine.HideInternalObjects+`
		ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, rowid DESC`)
	if err != nil {
		t.Fatal(err)
	}
	// Triggers and views first, then tables, the newest first (tables
	// that reference others usually come later); no IF EXISTS: every
	// object listed exists.
	var stmts []string
	for _, r := range rows.Rows {
		stmts = append(stmts, fmt.Sprintf(`DROP %s "%s"`, strings.ToUpper(r[0].Text), strings.ReplaceAll(r[1].Text, `"`, `""`)))
	}
	if len(stmts) == 0 {
		return
	}
	res, err := c.Exec(ctx, stmts...)
	if err != nil || res.Err != nil {
		t.Fatalf("reset database: %v %v", err, res.Err)
	}
}

// newCmd starts the program in dir with args; the caller waits for it.
func newCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(programPath, args...)
	cmd.Dir = dir
	cmd.Stderr = &syncBuffer{}
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	return cmd
}
