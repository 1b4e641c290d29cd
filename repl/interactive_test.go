package repl

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/repl/ptytest"
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

func startPTYSession(t *testing.T, dir string, env ...string) *ptytest.Session {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), ptyChildEnv+"="+dir, "TERM=dumb"), env...)
	return ptytest.Start(t, cmd, 120)
}

// TestInteractivePrompt drives the prompt through a pseudo-terminal:
// statements, a multi-line statement with the continuation prompt, Ctrl-C
// dropping pending input, a transaction block shown in the prompt, Ctrl-C
// cancelling a running query, errors without line numbers, Ctrl-D
// exiting, and the history file.
func TestInteractivePrompt(t *testing.T) {
	dir := t.TempDir()
	s := startPTYSession(t, dir)
	s.Expect("Enter \".help\" for usage hints.")
	s.Expect("resqlite 1 leader> ")

	s.Send("CREATE TABLE t(a);\r")
	s.Expect("resqlite 1 leader> ")
	s.Send("INSERT INTO t VALUES (41);\r")
	s.Expect("resqlite 1 leader> ")

	s.Send("SELECT a + 1\r")
	s.Expect("             ...> ")
	s.Send("FROM t;\r")
	s.Expect("42\r\n")
	s.Expect("resqlite 1 leader> ")

	s.Send("SELECT 'dropped'\r")
	s.Expect("...> ")
	s.Send("\x03")
	s.Expect("resqlite 1 leader> ")
	s.Send("SELECT 'kept';\r")
	s.Expect("kept\r\n")
	if strings.Contains(s.Output(), "dropped\r\n") {
		t.Errorf("Ctrl-C did not drop the pending statement")
	}
	s.Expect("resqlite 1 leader> ")

	s.Send("BEGIN;\r")
	s.Expect("resqlite 1 leader tx> ")
	s.Send("INSERT INTO t VALUES (1);\r")
	s.Expect("resqlite 1 leader tx> ")
	s.Send("ROLLBACK;\r")
	s.Expect("resqlite 1 leader> ")

	s.Send("SELEC 1;\r")
	s.Expect("Parse error: near \"SELEC\": syntax error")
	s.Expect("resqlite 1 leader> ")

	s.Send("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\r")
	// A Ctrl-C that arrives before the line editor has handed over the
	// line only interrupts the editor; repeat until the query is cancelled.
	s.SendUntil("\x03", "Runtime error: interrupted (9)", 300*time.Millisecond)
	s.Expect("resqlite 1 leader> ")

	s.Send("SELECT count(*) FROM t;\r")
	s.Expect("1\r\n")
	s.Expect("resqlite 1 leader> ")
	s.Send("\x04")
	if code := s.Wait(); code != 1 {
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
	s.Expect("resqlite 1 leader> ")
	s.Send("SELECT 7;\r")
	s.Expect("7\r\n")
	s.Send(".quit\r")
	if code := s.Wait(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestInteractiveExitCode checks ".exit N" at the prompt (issue 14 bug
// 5): the program ends at once with status N, also after an error.
func TestInteractiveExitCode(t *testing.T) {
	s := startPTYSession(t, t.TempDir())
	s.Expect("resqlite 1 leader> ")
	s.Send("SELEC 1;\r")
	s.Expect("Parse error: near \"SELEC\": syntax error")
	s.Expect("resqlite 1 leader> ")
	s.Send(".exit 3\r")
	if code := s.Wait(); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
}

// TestBatchExitSkipsThePrompt checks that ".exit N" in the batch run
// before the prompt ends the program there, with status N.
func TestBatchExitSkipsThePrompt(t *testing.T) {
	s := startPTYSession(t, t.TempDir(), ptyInitEnv+"=SELECT 'ran';\n.exit 5\nSELECT 'not reached';\n")
	s.Expect("ran\r\n")
	if code := s.Wait(); code != 5 {
		t.Errorf("exit code %d, want 5", code)
	}
	if out := s.Output(); strings.Contains(out, "not reached") || strings.Contains(out, "leader> ") {
		t.Errorf("the program went on after .exit 5:\n%s", out)
	}
}

// TestBatchThenInteractive checks that a batch run before the prompt
// leaves its settings and data for the prompt, and that its errors keep
// their line numbers while the prompt's do not.
func TestBatchThenInteractive(t *testing.T) {
	s := startPTYSession(t, t.TempDir(), ptyInitEnv+"=.mode csv\n.headers on\nCREATE TABLE t(a, b);\nINSERT INTO t VALUES (1, 'x y');\nSELEC;\n")
	s.Expect("Parse error near line 5: near \"SELEC\": syntax error")
	s.Expect("resqlite 1 leader> ")
	s.Send("SELECT * FROM t;\r")
	s.Expect("a,b\r\r\n1,\"x y\"\r\r\n") // csv's "\r\n", and the tty turns "\n" into "\r\n"
	s.Send("SELEC;\r")
	s.Expect("Parse error: near \"SELEC\": syntax error")
	s.Send(".quit\r")
	if code := s.Wait(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}
