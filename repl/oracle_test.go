package repl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oracleModes are the output settings the oracle scripts run under: the
// same lines are put in front of the script for both programs, so line
// numbers agree.
var oracleModes = []struct {
	name   string
	prefix string
}{
	{"list", ".mode list\n.headers off\n"},
	{"list-headers", ".mode list\n.headers on\n"},
	{"csv", ".mode csv\n.headers on\n"},
	{"line", ".mode line\n"},
	{"json", ".mode json\n"},
	{"list-nullvalue", ".mode list\n.nullvalue <null>\n.separator \" ~ \"\n"},
	{"tabs", ".mode tabs\n.headers on\n"},
	{"quote", ".mode quote\n.headers on\n"},
	{"table", ".mode table\n"},
	{"box", ".mode box\n"},
	{"column", ".mode column\n"},
	{"column-noheaders", ".mode column\n.headers off\n"},
	{"markdown", ".mode markdown\n"},
	{"box-wrap", ".mode box --wrap 10 --wordwrap on\n"},
	{"table-quote", ".mode table --quote --wrap 0\n.width 3 -6\n"},
}

// runShell runs script through a Shell over a fresh test double and
// returns stdout, stderr and the exit code main would give.
func runShell(t *testing.T, script string, opts Options) (stdout, stderr string, code int) {
	t.Helper()
	var out bytes.Buffer
	_, errText, code := runShellTo(t, script, opts, &out)
	return out.String(), errText, code
}

// runShellTo is runShell with stdout written to out (e.g. a buffer shared
// with the progress line, as a terminal shares its screen); the returned
// stdout is empty.
func runShellTo(t *testing.T, script string, opts Options, out io.Writer) (stdout, stderr string, code int) {
	t.Helper()
	var errb bytes.Buffer
	opts.Stdout, opts.Stderr = out, &errb
	sh := NewShell(newLocalSQLiteDouble(t), opts)
	err := sh.RunBatch(context.Background(), strings.NewReader(script))
	if cerr := sh.Close(); cerr != nil {
		t.Fatalf("close shell: %v", cerr)
	}
	switch {
	case err == nil:
		return "", errb.String(), 0
	case err == ErrStatementsFailed:
		return "", errb.String(), 1
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		return "", errb.String(), exit.Status()
	}
	t.Fatalf("RunBatch: %v", err)
	return "", "", 0
}

// withoutErrorContext drops the CLI's parse-error context lines (the
// statement quoted and a marker under the error): the test double cannot
// report sqlite3_error_offset, so the REPL prints none over it.
func withoutErrorContext(stderr string) string {
	var keep []string
	for _, line := range strings.SplitAfter(stderr, "\n") {
		if strings.HasPrefix(line, "  ") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "")
}

// TestOracleScripts runs every script in testdata/oracle through the REPL
// (over the test double, pipelined) and through the sqlite3 CLI, in each
// oracle mode, and requires identical stdout, the same errors on stderr
// (context lines aside) and the same exit code.
func TestOracleScripts(t *testing.T) {
	sqlite3CLI(t)
	scripts, err := filepath.Glob("testdata/oracle/*.sql")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no oracle scripts: %v", err)
	}
	for _, path := range scripts {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range oracleModes {
			t.Run(filepath.Base(path)+"/"+mode.name, func(t *testing.T) {
				script := mode.prefix + string(body)
				cliDir, replDir := t.TempDir(), t.TempDir()
				wantOut, wantErr, wantCode := runSQLite3(t, "", strings.ReplaceAll(script, "@TMP@", cliDir))
				gotOut, gotErr, gotCode := runShell(t, strings.ReplaceAll(script, "@TMP@", replDir), Options{})
				gotOut = strings.ReplaceAll(gotOut, replDir, "@TMP@")
				wantOut = strings.ReplaceAll(wantOut, cliDir, "@TMP@")
				compareFiles(t, replDir, cliDir)
				if gotOut != wantOut {
					t.Errorf("stdout differs from sqlite3\n--- repl\n%s\n--- sqlite3\n%s", gotOut, wantOut)
				}
				if g, w := gotErr, withoutErrorContext(wantErr); g != w {
					t.Errorf("stderr differs from sqlite3\n--- repl\n%s\n--- sqlite3\n%s", g, w)
				}
				if gotCode != wantCode {
					t.Errorf("exit code %d, sqlite3 %d", gotCode, wantCode)
				}
				if mode.name == "list" {
					seqDir := t.TempDir()
					seqOut, seqErr, seqCode := runShell(t, strings.ReplaceAll(script, "@TMP@", seqDir), Options{NoPipeline: true})
					seqOut = strings.ReplaceAll(seqOut, seqDir, "@TMP@")
					if seqOut != gotOut || seqErr != gotErr || seqCode != gotCode {
						t.Errorf("sequential run differs from pipelined run\n--- sequential\n%s%s\n--- pipelined\n%s%s", seqOut, seqErr, gotOut, gotErr)
					}
				}
			})
		}
	}
}

// compareFiles requires the files the REPL wrote in got (.output, .once)
// to match those the CLI wrote in want.
func compareFiles(t *testing.T, got, want string) {
	t.Helper()
	wantFiles, _ := filepath.Glob(filepath.Join(want, "*"))
	gotFiles, _ := filepath.Glob(filepath.Join(got, "*"))
	if len(gotFiles) != len(wantFiles) {
		t.Errorf("repl wrote %d files, sqlite3 %d", len(gotFiles), len(wantFiles))
	}
	for _, w := range wantFiles {
		wb, _ := os.ReadFile(w)
		gb, err := os.ReadFile(filepath.Join(got, filepath.Base(w)))
		if err != nil {
			t.Errorf("repl did not write %s: %v", filepath.Base(w), err)
			continue
		}
		if !bytes.Equal(gb, wb) {
			t.Errorf("%s differs\n--- repl\n%s\n--- sqlite3\n%s", filepath.Base(w), gb, wb)
		}
	}
}
