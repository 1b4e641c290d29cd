package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The .import scripts (repl/testdata/import) print the same stdout and
// stderr through a 3-node cluster of the program as through the sqlite3
// CLI, with the same exit status, talking to the leader or a follower.
func TestImportScriptsThroughCluster(t *testing.T) {
	skipShort(t)
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it); oracle comparison skipped")
	}
	scripts, err := filepath.Glob("repl/testdata/import/*.sql")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no import scripts in repl/testdata/import: %v", err)
	}
	nodes := startCluster(t, 3)
	for i, path := range scripts {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			resetDatabase(t, nodes[0].addr)
			want := runCLI(t, cli, string(body))
			got := runProgram(t, "repl", string(body), "-connect", nodes[i%len(nodes)].addr)
			if got != want {
				t.Errorf("differs from sqlite3\n--- resqlite (exit %d)\n%s--- stderr\n%s--- sqlite3 (exit %d)\n%s--- stderr\n%s",
					got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
			}
		})
	}
}

// The acceptance run of .import: RESQLITE_IMPORT_ROWS rows (1000000 for
// the figure) of CSV through a 3-node cluster; the row count and
// content are checked, and the peak RSS of the client and of each node
// and the time taken are logged (go test -v). Off unless the variable is
// set: it takes minutes on a small machine.
func TestImportLargeCSVThroughCluster(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("RESQLITE_IMPORT_ROWS"))
	if n <= 0 {
		t.Skip("set RESQLITE_IMPORT_ROWS (e.g. 1000000) to import that many CSV rows through a 3-node cluster")
	}
	file := filepath.Join(t.TempDir(), "rows.csv")
	size := writeImportCSV(t, file, n)
	nodes := startCluster(t, 3)
	script := ".import --csv " + file + " big\n.mode list\nSELECT count(*), sum(id), sum(length(name)), max(amount) FROM big;\n"
	start := time.Now()
	got, maxRSS := runMeasured(t, script, "-connect", nodes[1].addr)
	elapsed := time.Since(start)
	if got.code != 0 || got.stderr != "" {
		t.Fatalf("import: exit %d\n%s", got.code, got.stderr)
	}
	sumName, maxAmount := 0, ""
	for i := 1; i <= n; i++ {
		sumName += len(importName(i)) - 2 // without the CSV quotes
		maxAmount = max(maxAmount, importAmount(i))
	}
	want := fmt.Sprintf("%d|%d|%d|%s\n", n, n*(n+1)/2, sumName, maxAmount)
	if got.stdout != want {
		t.Fatalf("after the import: %q, want %q", got.stdout, want)
	}
	t.Logf("imported %d rows (%.1f MB of CSV) in %s (%.0f rows/s)", n, float64(size)/1e6, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	t.Logf("peak RSS: client %.1f MiB", float64(maxRSS)/1024)
	for i, nd := range nodes {
		t.Logf("peak RSS: node %d %s", i+1, peakRSS(nd.cmd.Process.Pid))
	}
}

// writeImportCSV writes a header and n rows to file and returns its size.
func writeImportCSV(t *testing.T, file string, n int) int64 {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("id,name,amount\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "%d,%s,%s\n", i, importName(i), importAmount(i))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return st.Size()
}

// importName and importAmount are row i's name and amount (the amount
// is TEXT in the created table, so max compares it as text).
func importName(i int) string { return fmt.Sprintf("\"name, %d\"", i%997) }

func importAmount(i int) string { return fmt.Sprintf("%d.%02d", i/100, i%100) }

// runMeasured runs the program as a client and returns what it printed
// and its peak RSS in KiB.
func runMeasured(t *testing.T, stdin string, args ...string) (result, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, programPath, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && (!ok || ctx.Err() != nil) {
		t.Fatalf("client: %v\n%s", err, errb.String())
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}, rss
}

// peakRSS reads a running process's peak resident set (VmHWM) on Linux.
func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
		}
	}
	return "unknown"
}

// At the prompt, .import sends its rows pipelined, shows on the terminal
// how many it has sent, and the session goes on as before after it
// (the import's pipeline is closed, a write prints its rows affected).
func TestInteractiveImport(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "rows.csv")
	writeImportCSV(t, file, 25000)
	p := startOnPTY(t, dir, "-peers", "1="+freeAddrs(t, 1)[0])
	p.Expect(" leader> ")
	p.Send(".import --csv " + file + " big\n")
	p.Expect(file + ": 20000 rows sent")
	p.Send("SELECT count(*) AS n, max(CAST(id AS INTEGER)) AS m FROM big;\n")
	p.Expect("| 25000 | 25000 |")
	p.Send("INSERT INTO big(id) VALUES(0);\n")
	p.Expect("1 row affected")
	p.Send(".import --csv " + file + " big\n")
	p.Send("SELECT count(*) AS n2 FROM big;\n")
	p.Expect("| 50002 |") // the table exists: the header is a row too
	p.Send("\x04")
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d after Ctrl-D, want 0", code)
	}
}

// Ctrl-C stops an .import at the prompt, as in sqlite3: the rows sent
// before it are applied (not reported as lost), the command that fed it
// is ended, and the prompt comes back.
func TestInteractiveImportInterrupted(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	p := startOnPTY(t, dir, "-peers", "1="+freeAddrs(t, 1)[0])
	p.Expect(" leader> ")
	p.Send(".import --csv \"|yes 7 | head -n 100000000\" endless\n")
	p.Expect(": 20000 rows sent")
	p.SendUntil("\x03", "\r\x1b[K", 200*time.Millisecond)
	p.Send("SELECT count(*) > 10000 AS ok FROM endless;\n")
	p.Expect("| 1  |")
	p.Send("\x04")
	p.Wait()
	if out := p.Output(); strings.Contains(out, "import stopped") {
		t.Errorf("the rows sent before Ctrl-C were reported lost:\n%q", out)
	}
}
