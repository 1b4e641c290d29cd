package repl

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// sqlite3CLI returns the path of the sqlite3 CLI, the oracle these tests
// compare with, or skips the test when it is not installed.
func sqlite3CLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it); oracle comparison skipped")
	}
	out, err := exec.Command(path, "-version").Output()
	if err != nil {
		t.Fatalf("sqlite3 -version: %v", err)
	}
	if !strings.HasPrefix(string(out), "3.40.") {
		t.Logf("oracle is sqlite3 %s; expected 3.40.x", strings.Fields(string(out))[0])
	}
	return path
}

// runSQLite3 feeds script to the sqlite3 CLI on an in-memory database (or
// dbPath) and returns its stdout, stderr and exit code.
func runSQLite3(t *testing.T, dbPath, script string) (stdout, stderr string, code int) {
	t.Helper()
	cli := sqlite3CLI(t)
	if dbPath == "" {
		dbPath = ":memory:"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "-batch", dbPath)
	cmd.Stdin = strings.NewReader(script)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), errb.String(), ee.ExitCode()
		}
		t.Fatalf("sqlite3: %v", err)
	}
	return out.String(), errb.String(), 0
}
