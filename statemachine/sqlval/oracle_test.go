package sqlval

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// runSQLite3 feeds script to the sqlite3 CLI (the 3.40 oracle) on an
// in-memory database and returns its stdout, stderr and exit code; the
// test is skipped where the CLI is not installed.
func runSQLite3(t *testing.T, script string) (stdout, stderr string, code int) {
	t.Helper()
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it); oracle comparison skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "-batch", ":memory:")
	cmd.Stdin = strings.NewReader(script)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out.String(), errb.String(), ee.ExitCode()
		}
		t.Fatalf("sqlite3: %v", err)
	}
	return out.String(), errb.String(), 0
}
