package node_test

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runProgram runs the program to completion (bounded) and returns its
// exit code and stderr.
func runProgram(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(program(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), stderr.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, stderr.String()
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not exit: %s", args, stderr.String())
		return 0, ""
	}
}

// wantExit2 checks a one-line error naming the problem and exit status 2.
func wantExit2(t *testing.T, want string, args ...string) {
	t.Helper()
	code, stderr := runProgram(t, args...)
	if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("%v: exit %d, stderr %q; want exit 2 and one line containing %q", args, code, stderr, want)
	}
}

// Bad flags, a data directory in use, and a -peers that disagrees with
// the stored configuration each give a one-line error and exit status 2;
// SIGTERM shuts a node down cleanly (exit 0) and it restarts from its data.
func TestProgramFlagsAndDataDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "node-1")
	wantExit2(t, "flag provided but not defined", "-serve", "-bogus")
	wantExit2(t, "-id", "-serve", "-id", "0")
	wantExit2(t, "peer", "-serve", "-data", dir, "-peers", "1=nocolon")
	wantExit2(t, "not in the peer list", "-serve", "-data", dir, "-id", "3", "-peers", "1=127.0.0.1:1")
	wantExit2(t, "-log-level", "-serve", "-log-level", "loud")
	wantExit2(t, "-mode", "-mode", "bogus")

	c := startCluster(t, 1)
	p := c.proc(1)
	wantExit2(t, "in use", "-serve", "-data", p.dir, "-peers", c.peers)
	c.signal(1, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("node did not stop after SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit %d after SIGTERM: %s", code, p.stderr.String())
	}
	wantExit2(t, "another cluster", "-serve", "-data", p.dir, "-peers", "1=127.0.0.1:1,2=127.0.0.1:2")
	// Restarted without -peers, the node takes its members from its data.
	c.restart(1)
	if c.waitLeader(10*time.Second) != 1 {
		t.Fatalf("restarted node did not lead: %s", c.stderrAll())
	}
}
