package repl

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyChildEnv makes the test binary act as the tiny program the pty test
// drives: an interactive session over the local test double.
const ptyChildEnv = "RESQLITE_REPL_PTY_CHILD"

// ptyInitEnv holds a script the child runs as a batch before its prompt,
// as "-batch FILE -interactive" does.
const ptyInitEnv = "RESQLITE_REPL_PTY_INIT"

func TestMain(m *testing.M) {
	if dir := os.Getenv(ptyChildEnv); dir != "" {
		os.Exit(runPTYChild(dir))
	}
	os.Exit(m.Run())
}

// runPTYChild runs the REPL program on the process's terminal, with its
// database and history file in dir, and returns the exit code.
func runPTYChild(dir string) int {
	d, err := openLocalSQLiteDouble(dir)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	defer d.close()
	p := Program{Mode: ModeList, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, HistoryFile: filepath.Join(dir, "history")}
	if init := os.Getenv(ptyInitEnv); init != "" {
		p.BatchFile, p.Interactive = filepath.Join(dir, "init.sql"), true
		if err := os.WriteFile(p.BatchFile, []byte(init), 0o600); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			return 2
		}
	}
	return p.Run(context.Background(), d)
}

// ptySession drives a child on a pseudo-terminal and collects its output.
type ptySession struct {
	t    *testing.T
	tty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	seen int // output consumed by expect so far
}

func startPTYSession(t *testing.T, dir string, env ...string) *ptySession {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), ptyChildEnv+"="+dir, "TERM=dumb"), env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatalf("start pty child: %v", err)
	}
	s := &ptySession{t: t, tty: tty, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
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
	return s
}

// expect waits until want appears in the output after what earlier
// expects consumed.
func (s *ptySession) expect(want string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		out := s.out.String()
		s.mu.Unlock()
		if i := strings.Index(out[s.seen:], want); i >= 0 {
			s.seen += i + len(want)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Fatalf("timed out waiting for %q; output after last match:\n%q", want, s.out.String()[s.seen:])
}

// rest returns output not consumed yet.
func (s *ptySession) rest() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()[s.seen:]
}

func (s *ptySession) send(text string) {
	s.t.Helper()
	if _, err := s.tty.Write([]byte(text)); err != nil {
		s.t.Fatalf("write to pty: %v", err)
	}
}

// sendUntil sends text every 300ms until want appears.
func (s *ptySession) sendUntil(text, want string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		s.send(text)
		s.mu.Lock()
		i := strings.Index(s.out.String()[s.seen:], want)
		s.mu.Unlock()
		if i >= 0 {
			s.seen += i + len(want)
			return
		}
	}
	s.t.Fatalf("timed out waiting for %q; output after last match:\n%q", want, s.rest())
}

// wait waits for the child to exit and returns its exit code.
func (s *ptySession) wait() int {
	s.t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(20 * time.Second):
		s.t.Fatalf("child did not exit; output:\n%q", s.rest())
	}
	return -1
}

// TestInteractivePrompt drives the prompt through a pseudo-terminal:
// statements, a multi-line statement with the continuation prompt, Ctrl-C
// dropping pending input, a transaction block shown in the prompt, Ctrl-C
// cancelling a running query, errors without line numbers, Ctrl-D
// exiting, and the history file.
func TestInteractivePrompt(t *testing.T) {
	dir := t.TempDir()
	s := startPTYSession(t, dir)
	s.expect("Enter \".help\" for usage hints.")
	s.expect("resqlite 1 leader> ")

	s.send("CREATE TABLE t(a);\r")
	s.expect("resqlite 1 leader> ")
	s.send("INSERT INTO t VALUES (41);\r")
	s.expect("resqlite 1 leader> ")

	s.send("SELECT a + 1\r")
	s.expect("             ...> ")
	s.send("FROM t;\r")
	s.expect("42\r\n")
	s.expect("resqlite 1 leader> ")

	s.send("SELECT 'dropped'\r")
	s.expect("...> ")
	s.send("\x03")
	s.expect("resqlite 1 leader> ")
	s.send("SELECT 'kept';\r")
	s.expect("kept\r\n")
	if strings.Contains(s.out.String(), "dropped\r\n") {
		t.Errorf("Ctrl-C did not drop the pending statement")
	}
	s.expect("resqlite 1 leader> ")

	s.send("BEGIN;\r")
	s.expect("resqlite 1 leader tx> ")
	s.send("INSERT INTO t VALUES (1);\r")
	s.expect("resqlite 1 leader tx> ")
	s.send("ROLLBACK;\r")
	s.expect("resqlite 1 leader> ")

	s.send("SELEC 1;\r")
	s.expect("Parse error: near \"SELEC\": syntax error")
	s.expect("resqlite 1 leader> ")

	s.send("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\r")
	// A Ctrl-C that arrives before the line editor has handed over the
	// line only interrupts the editor; repeat until the query is cancelled.
	s.sendUntil("\x03", "Runtime error: interrupted (9)")
	s.expect("resqlite 1 leader> ")

	s.send("SELECT count(*) FROM t;\r")
	s.expect("1\r\n")
	s.expect("resqlite 1 leader> ")
	s.send("\x04")
	if code := s.wait(); code != 1 {
		t.Errorf("exit code %d after a session with errors, want 1", code)
	}
	history, err := os.ReadFile(filepath.Join(dir, "history"))
	if err != nil {
		t.Fatalf("history file: %v", err)
	}
	for _, want := range []string{"CREATE TABLE t(a);\n", "SELECT a + 1\n", "FROM t;\n", "SELEC 1;\n"} {
		if !strings.Contains(string(history), want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
}

// TestInteractiveQuit checks that .quit ends a session that had no errors
// with exit code 0.
func TestInteractiveQuit(t *testing.T) {
	s := startPTYSession(t, t.TempDir())
	s.expect("resqlite 1 leader> ")
	s.send("SELECT 7;\r")
	s.expect("7\r\n")
	s.send(".quit\r")
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestBatchThenInteractive checks that a batch run before the prompt
// leaves its settings and data for the prompt, and that its errors keep
// their line numbers while the prompt's do not.
func TestBatchThenInteractive(t *testing.T) {
	s := startPTYSession(t, t.TempDir(), ptyInitEnv+"=.mode csv\n.headers on\nCREATE TABLE t(a, b);\nINSERT INTO t VALUES (1, 'x y');\nSELEC;\n")
	s.expect("Parse error near line 5: near \"SELEC\": syntax error")
	s.expect("resqlite 1 leader> ")
	s.send("SELECT * FROM t;\r")
	s.expect("a,b\r\r\n1,\"x y\"\r\r\n") // csv's "\r\n", and the tty turns "\n" into "\r\n"
	s.send("SELEC;\r")
	s.expect("Parse error: near \"SELEC\": syntax error")
	s.send(".quit\r")
	if code := s.wait(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}
