package repl

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProgramRunsBatchFileAndStdin(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "script.sql")
	if err := os.WriteFile(file, []byte("CREATE TABLE t(a);\nINSERT INTO t VALUES (1);\nSELECT a FROM t;\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := newLocalSQLiteDouble(t)
	var out, errOut bytes.Buffer
	p := Program{BatchFile: file, Mode: ModeCSV, Stdin: io.NopCloser(strings.NewReader("")), Stdout: &out, Stderr: &errOut}
	if code := p.Run(context.Background(), d); code != 0 || out.String() != "1\r\n" || errOut.Len() != 0 {
		t.Errorf("batch file: code %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}

	out.Reset()
	p = Program{Mode: ModeList, Stdin: io.NopCloser(strings.NewReader("SELECT count(*) FROM t;\nSELEC;\n")), Stdout: &out, Stderr: &errOut}
	if code := p.Run(context.Background(), d); code != 1 || out.String() != "1\n" || errOut.String() != "Parse error near line 2: near \"SELEC\": syntax error\n" {
		t.Errorf("stdin batch: code %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}

	errOut.Reset()
	p = Program{BatchFile: filepath.Join(dir, "missing.sql"), Stdin: io.NopCloser(strings.NewReader("")), Stdout: &out, Stderr: &errOut}
	if code := p.Run(context.Background(), d); code != 1 || !strings.HasPrefix(errOut.String(), "Error: cannot open \""+filepath.Join(dir, "missing.sql")+"\"") {
		t.Errorf("missing file: code %d, stderr %q", code, errOut.String())
	}
}
