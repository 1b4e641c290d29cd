package repl

import (
	"strings"
	"testing"
)

// TestNULCutsItsChunkAsSQLite3: a NUL byte ends the fgets chunk it is in,
// wherever the chunk boundaries of the CLI's growing line buffer fall
// (99 bytes, then up to 300, 700, ...); the text after it up to the end
// of that chunk is lost and a newline lost with it joins the next line.
func TestNULCutsItsChunkAsSQLite3(t *testing.T) {
	sqlite3CLI(t)
	for _, at := range []int{0, 1, 50, 97, 98, 99, 100, 150, 298, 299, 300, 301, 699, 700, 1500} {
		for _, tail := range []int{0, 10, 250, 900} {
			line := "SELECT length('" + strings.Repeat("a", at) + "\x00" + strings.Repeat("b", tail) + "'), 'x';"
			script := ".mode list\n" + line + "\nSELECT 'next');\nSELECT 'last';\n"
			wantOut, wantErr, wantCode := runSQLite3(t, "", script)
			gotOut, gotErr, gotCode := runShell(t, script, Options{})
			if gotOut != wantOut || gotErr != withoutErrorContext(wantErr) || gotCode != wantCode {
				t.Errorf("NUL at %d, %d bytes after it: got %q %q %d, sqlite3 %q %q %d",
					at, tail, gotOut, gotErr, gotCode, wantOut, wantErr, wantCode)
			}
		}
	}
}

// TestLastLineKeepsItsCR: only a line's "\n" or "\r\n" terminator is
// dropped, as the CLI does; a CR ending the input's last line stays.
func TestLastLineKeepsItsCR(t *testing.T) {
	r := newLineReader(strings.NewReader("a\r\nb\r"))
	for _, want := range []string{"a", "b\r"} {
		got, ok, err := r.next()
		if !ok || err != nil || got != want {
			t.Fatalf("got %q %v %v, want %q", got, ok, err, want)
		}
	}
	if _, ok, err := r.next(); ok || err != nil {
		t.Fatalf("after the last line: %v %v", ok, err)
	}
}
