package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyProgram is the real program on a pseudo-terminal.
type ptyProgram struct {
	t    *testing.T
	tty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	seen int
}

// startOnPTY starts the program in dir with args on a pseudo-terminal,
// HOME in dir (for the history file); it is killed when the test ends.
func startOnPTY(t *testing.T, dir string, args ...string) *ptyProgram {
	t.Helper()
	cmd := exec.Command(programPath, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "TERM=dumb")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 150})
	if err != nil {
		t.Fatalf("start on pty: %v", err)
	}
	p := &ptyProgram{t: t, tty: tty, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		tty.Close()
	})
	return p
}

// expect waits until want appears after what earlier expects consumed.
func (p *ptyProgram) expect(want string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		out := p.out.String()
		p.mu.Unlock()
		if i := strings.Index(out[p.seen:], want); i >= 0 {
			p.seen += i + len(want)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.t.Fatalf("timed out waiting for %q; output after the last match:\n%q", want, p.out.String()[p.seen:])
}

func (p *ptyProgram) send(s string) {
	p.t.Helper()
	if _, err := p.tty.WriteString(s); err != nil {
		p.t.Fatalf("write to pty: %v", err)
	}
}

// sendUntil sends s every half second until want appears.
func (p *ptyProgram) sendUntil(s, want string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		p.mu.Lock()
		out := p.out.String()
		p.mu.Unlock()
		if i := strings.Index(out[p.seen:], want); i >= 0 {
			p.seen += i + len(want)
			return
		}
		p.send(s)
	}
	p.t.Fatalf("no %q after sending %q repeatedly; output:\n%q", want, s, p.out.String()[p.seen:])
}

// waitExit waits for the program to end and returns its exit code.
func (p *ptyProgram) waitExit() int {
	p.t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			p.t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(30 * time.Second):
		p.t.Fatal("the program did not exit")
		return -1
	}
}

// interactiveSession drives a prompt: a multi-line statement, a query
// drawn as a table, the cluster dot-commands, Ctrl-C on a line, with
// interrupt Ctrl-C on a running query, and Ctrl-D to leave (exit 0, or
// 1 after the interrupted statement).
func interactiveSession(t *testing.T, p *ptyProgram, wantNodes int, interrupt bool) {
	p.expect(" leader> ")
	p.send("CREATE TABLE pets(\n")
	p.expect("...> ")
	p.send("  name TEXT, legs INTEGER);\n")
	p.expect("> ")
	p.send("INSERT INTO pets VALUES('cat', 4), ('bird', 2);\n")
	p.expect("2 rows affected")
	p.send("SELECT name, legs\n")
	p.expect("...> ")
	p.send("FROM pets ORDER BY legs;\n")
	p.expect("| name | legs |")
	p.expect("| bird | 2    |")
	p.expect("| cat  | 4    |")
	p.send("BEGIN;\n")
	p.expect(" tx> ")
	p.send("INSERT INTO pets VALUES('fish', 0);\n")
	p.send("COMMIT;\n")
	p.expect("1 row affected")
	p.send(".nodes\n")
	p.expect("| id |")
	for i := 1; i <= wantNodes; i++ {
		p.expect("| yes ")
	}
	p.send(".status\n")
	p.expect("role:")
	p.expect("applied index:")
	p.send(".leader\n")
	p.expect("127.0.0.1:")
	p.send("SELECT 'never sent'")
	p.send("\x03")
	p.expect("^C")
	// Ctrl-C while a query runs interrupts it (the first ^C may reach
	// the line editor before the query starts, so repeat it).
	want := 0
	if interrupt {
		p.send("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\n")
		p.sendUntil("\x03", "interrupted (9)")
		want = 1
	}
	p.send("SELECT count(*) AS n FROM pets;\n")
	p.expect("| 3 |")
	p.send("\x04")
	if code := p.waitExit(); code != want {
		t.Fatalf("exit %d after Ctrl-D, want %d", code, want)
	}
}

// The prompt of the program on its own single node (no node flags but
// the port), on a pseudo-terminal.
func TestInteractiveOwnNode(t *testing.T) {
	dir := t.TempDir()
	p := startOnPTY(t, dir, "-peers", "1="+freeAddrs(t, 1)[0])
	interactiveSession(t, p, 1, false)
	if _, err := os.Stat(filepath.Join(dir, ".resqlite_history")); err != nil {
		t.Errorf("history file: %v", err)
	}
}

// The prompt of -connect to the leader of a 3-node cluster.
func TestInteractiveConnectToCluster(t *testing.T) {
	skipShort(t)
	nodes := startCluster(t, 3)
	// Connect to the leader first so that the prompt shows "leader".
	var leader string
	for _, nd := range nodes {
		r := runProgram(t, t.TempDir(), ".leader\n", "-connect", nd.addr)
		if r.code == 0 {
			leader = strings.Fields(r.stdout)[1]
			break
		}
	}
	if leader == "" {
		t.Fatal("no leader known")
	}
	p := startOnPTY(t, t.TempDir(), "-connect", leader)
	interactiveSession(t, p, 3, true)
}
