package repl

import (
	"strings"
	"testing"
)

// A block statement that fails with .eqp on fails as it does without it
// (its plan fails first, at the same point): the same error line, with
// the context pointing into the statement's own text, and nothing of the
// block applied; .eqp full adds the listing of each statement.
func TestEQPInBlockFailureAndFull(t *testing.T) {
	block := "CREATE TABLE f(a);\nBEGIN;\nINSERT INTO f VALUES (1);\nSELECT f.nosuch FROM f;\nCOMMIT;\nSELECT count(*) FROM f;\n"
	plainOut, plainErr, plainCode := runShell(t, ".eqp off\n"+block, Options{})
	out, errOut, code := runShell(t, ".eqp on\n"+block, Options{})
	if out != "QUERY PLAN\n`--SCAN f\n"+plainOut || errOut != plainErr || code != plainCode {
		t.Errorf(".eqp on: stdout %q stderr %q exit %d; without .eqp: %q %q %d", out, errOut, code, plainOut, plainErr, plainCode)
	}
	if !strings.Contains(errOut, "no such column: f.nosuch") {
		t.Errorf("stderr %q", errOut)
	}
	out, errOut, code = runShell(t, ".eqp full\nCREATE TABLE g(a);\nBEGIN;\nSELECT a FROM g;\nCOMMIT;\n", Options{})
	if code != 0 || errOut != "" || !strings.Contains(out, "QUERY PLAN\n`--SCAN g\naddr  opcode") || !strings.Contains(out, "OpenRead") {
		t.Errorf(".eqp full in a block: exit %d stderr %q\n%s", code, errOut, out)
	}
}
