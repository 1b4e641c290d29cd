package repl

import (
	"bufio"
	"bytes"
	"math"
	"testing"
)

// TestCellWriterWritesWhatCellTextSays: numbers written through the
// reused buffer (list, line and csv modes) are the text cellText gives,
// and csv quotes a number exactly when writeCSVField would (a separator
// among its characters, or an empty separator).
func TestCellWriterWritesWhatCellTextSays(t *testing.T) {
	vals := []Value{Integer(0), Integer(math.MinInt64), Integer(1234), Real(0.25), Real(-1e20), Real(0.1 + 1e-9),
		Real(math.Inf(1)), Real(math.Copysign(0, -1)), Real(5e-324), Real(123456789.123), Text("a\x00b"), Blob([]byte("x\x00y")), Blob([]byte{})}
	for _, sep := range []string{",", ".", "1", "", "e+"} {
		s := &outputSettings{colSep: sep, nullValue: "N"}
		for _, v := range vals {
			var got, want bytes.Buffer
			gw, ww := bufio.NewWriter(&got), bufio.NewWriter(&want)
			cw := cellWriter{w: gw}
			text, _ := cellText(v)
			if v.Kind == KindInteger || v.Kind == KindReal {
				cw.writeCSVNumber(s, v)
				writeCSVField(ww, s, text)
			} else {
				cw.write(v, "N")
				ww.WriteString(text)
			}
			gw.Flush()
			ww.Flush()
			if got.String() != want.String() {
				t.Errorf("separator %q, %v: wrote %q, want %q", sep, v, got.String(), want.String())
			}
			var plain bytes.Buffer
			pw := bufio.NewWriter(&plain)
			(&cellWriter{w: pw}).write(v, "N")
			pw.Flush()
			if plain.String() != text {
				t.Errorf("%v: list mode wrote %q, want %q", v, plain.String(), text)
			}
		}
	}
}
