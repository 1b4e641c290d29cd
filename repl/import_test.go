package repl

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportOracle runs the .import scripts in testdata/import through
// the REPL over the test double (pipelined, and one request at a time)
// and through the sqlite3 CLI: stdout, stderr and the exit code must be
// the CLI's byte for byte.
func TestImportOracle(t *testing.T) {
	sqlite3CLI(t)
	scripts, err := filepath.Glob("testdata/import/*.sql")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no import scripts: %v", err)
	}
	for _, path := range scripts {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			wantOut, wantErr, wantCode := runSQLite3(t, "", string(body))
			for _, opts := range []Options{{}, {NoPipeline: true}} {
				gotOut, gotErr, gotCode := runShell(t, string(body), opts)
				if gotOut != wantOut {
					t.Errorf("NoPipeline=%v: stdout differs from sqlite3\n--- repl\n%s\n--- sqlite3\n%s", opts.NoPipeline, gotOut, wantOut)
				}
				if gotErr != wantErr {
					t.Errorf("NoPipeline=%v: stderr differs from sqlite3\n--- repl\n%s\n--- sqlite3\n%s", opts.NoPipeline, gotErr, wantErr)
				}
				if gotCode != wantCode {
					t.Errorf("NoPipeline=%v: exit code %d, sqlite3 %d", opts.NoPipeline, gotCode, wantCode)
				}
			}
		})
	}
}

// Rows of a batch that fails on one row are sent again without it: each
// row is inserted or fails alone, as in the CLI, also when the failing
// rows fall in the middle of batches of many rows (rows that repeat a
// key already in the table, and rows that repeat a key of an earlier row
// of their batch), and when every row fails (the same file imported
// twice).
func TestImportFailedRowsInLargeBatches(t *testing.T) {
	sqlite3CLI(t)
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("k,v\n")
	rows := 30 * importBatchRows
	if testing.Short() {
		rows = 3 * importBatchRows // the race detector makes the double slow
	}
	for i := 0; i < rows; i++ {
		k := i
		if i%797 == 1 {
			k = i - 1
		}
		csv.WriteString(strconv.Itoa(k) + ",v" + strconv.Itoa(i) + "\n")
	}
	file := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	script := ".mode list\nCREATE TABLE r(k INTEGER PRIMARY KEY, v);\nINSERT INTO r VALUES(" + strconv.Itoa(rows/6) + ",'x'),(" + strconv.Itoa(rows/2+1) + ",'y'),(" + strconv.Itoa(rows-1) + ",'z');\n.import --csv --skip 1 " + file + " r\n" +
		"SELECT count(*) FROM r;\n.import --csv --skip 1 " + file + " r\n" +
		"SELECT count(*), sum(k), max(v) FROM r;\nSELECT changes(), last_insert_rowid();\n"
	wantOut, wantErr, wantCode := runSQLite3(t, "", script)
	gotOut, gotErr, gotCode := runShell(t, script, Options{})
	if gotOut != wantOut || gotErr != wantErr || gotCode != wantCode {
		t.Errorf("differs from sqlite3\n--- repl (exit %d)\n%s%s\n--- sqlite3 (exit %d)\n%s%s", gotCode, gotOut, gotErr, wantCode, wantOut, wantErr)
	}
}

// On a terminal (Options.Progress set) a long .import shows how many rows
// it has sent on one line, erased before the next output; without a
// terminal nothing but the results is printed. At the prompt, too, the
// rows travel pipelined.
func TestImportProgressOnTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 rows through the test double are slow under the race detector (-short)")
	}
	file := filepath.Join(t.TempDir(), "rows.csv")
	var csv strings.Builder
	csv.WriteString("n\n")
	for i := 1; i <= 2*importProgressEvery+5; i++ {
		csv.WriteString(strconv.Itoa(i) + "\n")
	}
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	script := ".import --csv " + file + " p\n.mode list\nSELECT count(*), sum(n) FROM p;\n"
	var screen strings.Builder
	_, errOut, code := runShellTo(t, script, Options{Progress: &screen, Interactive: true}, &screen)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	line := "\r" + file + ": 20000 rows sent\x1b[K"
	want := "\r" + file + ": 10000 rows sent\x1b[K" + line + "\r\x1b[K20005|200110015\n"
	if screen.String() != want {
		t.Errorf("terminal shows %q, want %q", screen.String(), want)
	}
	out, _, _ := runShell(t, script, Options{})
	if out != "20005|200110015\n" {
		t.Errorf("without a terminal: %q", out)
	}
}

// A row whose INSERT would exceed the 1 MiB statement limit fails alone,
// with its line, and the rows around it are inserted.
func TestImportOversizeRowFailsAlone(t *testing.T) {
	file := filepath.Join(t.TempDir(), "big.csv")
	body := "a,b\n1,x\n2," + strings.Repeat("y", 1<<20) + "\n3,z\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runShell(t, ".import --csv "+file+" t\n.mode list\nSELECT a, b FROM t;\n", Options{})
	if out != "1|x\n3|z\n" || code != 0 {
		t.Errorf("stdout %q, exit %d", out, code)
	}
	size := len(`INSERT INTO "t" VALUES('2','`) + 1<<20 + len(`')`)
	if want := file + ":3: INSERT failed: the row's INSERT is " + strconv.Itoa(size) + " bytes; one statement may be at most 1048576 bytes\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}

// failingPipelineClient answers the failAt-th pipelined reply with an
// unknown outcome, as a node that lost its leader might.
type failingPipelineClient struct {
	Client
	failAt int
}

func (c *failingPipelineClient) Pipeline(ctx context.Context) (Pipeline, error) {
	p, err := c.Client.Pipeline(ctx)
	return &failingPipeline{Pipeline: p, failAt: c.failAt}, err
}

type failingPipeline struct {
	Pipeline
	failAt, n int
}

func (p *failingPipeline) Next() (Reply, error) {
	r, err := p.Pipeline.Next()
	p.n++
	if p.n == p.failAt {
		return Reply{Err: fmt.Errorf("%w: leader lost", ErrOutcomeUnknown)}, nil
	}
	return r, err
}

// A batch of rows whose write fails as a whole (its outcome unknown)
// stops the import with an error naming its lines; the command fails and
// the session goes on.
func TestImportStopsWhenAWriteFailsAsAWhole(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rows.csv")
	var csv strings.Builder
	csv.WriteString("n\n")
	for i := 1; i <= 3*importBatchRows; i++ {
		csv.WriteString(strconv.Itoa(i) + "\n")
	}
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	sh := NewShell(&failingPipelineClient{Client: newLocalSQLiteDouble(t), failAt: 2}, Options{Stdout: &out, Stderr: &errb})
	err := sh.RunBatch(context.Background(), strings.NewReader(".import --csv "+file+" p\n.mode list\nSELECT 'after';\n"))
	sh.Close()
	if err != ErrStatementsFailed {
		t.Errorf("RunBatch: %v, want ErrStatementsFailed", err)
	}
	want := file + ":1002: import stopped: the write of the rows from this line to line 2001 failed: write outcome unknown: leader lost\n"
	if errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
	if out.String() != "after\n" {
		t.Errorf("stdout %q", out.String())
	}
}
