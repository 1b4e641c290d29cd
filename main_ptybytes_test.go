package main

import (
	"testing"
)

// Issue 14: bytes that are not UTF-8, typed at the prompt (a Latin-1
// terminal), reach SQLite byte for byte, as they do in batch mode: no
// replacement character, no hang, no panic.
func TestInteractiveInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	p := startOnPTY(t, dir, "-peers", "1="+freeAddrs(t, 1)[0])
	p.Expect(" leader> ")
	p.Send("CREATE TABLE l1(s);\n")
	p.Expect("> ")
	p.Send("INSERT INTO l1 VALUES ('caf\xe9'), ('\xff\xfe'), ('ok \xc3\xa9');\n")
	p.Expect("3 rows affected")
	p.Send("SELECT hex(s) FROM l1;\n")
	p.Expect("636166E9")
	p.Expect("FFFE")
	p.Expect("6F6B20C3A9")
	p.Send("SELECT '\xe9' = CAST(x'e9' AS TEXT) AS same;\n")
	p.Expect("| 1    |")
	// A character of the range the line editor's escapes use, typed as
	// UTF-8, is its own bytes; a line recalled from history (up arrow)
	// runs with the same bytes.
	p.Send("SELECT hex('\xe9\U0010FF80') AS h;\n")
	p.Expect("| E9F48FBE80 |")
	p.Send("\x1b[A\r")
	p.Expect("| E9F48FBE80 |")
	p.Send("\x04")
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d after Ctrl-D", code)
	}
}
