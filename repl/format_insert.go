package repl

import (
	"bufio"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
)

// printInsert prints r in insert mode, as the CLI's MODE_Insert: one
// INSERT INTO TABLE VALUES(…); per row, with the column names after the
// table when headers are on.
func printInsert(w *bufio.Writer, s *outputSettings, r *Result) {
	r.fill(1)
	r.eachRow(func(_ int, row []Value) {
		w.WriteString("INSERT INTO ")
		w.WriteString(s.insertTable)
		if s.headers {
			w.WriteByte('(')
			for i, c := range r.Columns {
				if i > 0 {
					w.WriteByte(',')
				}
				w.WriteString(quoteIdentifier(cString(c)))
			}
			w.WriteByte(')')
		}
		for i, v := range row {
			if i == 0 {
				w.WriteString(" VALUES(")
			} else {
				w.WriteByte(',')
			}
			writeSQLLiteral(w, v)
		}
		w.WriteString(");\n")
	})
}

// writeSQLLiteral writes v as insert mode does: NULL, integers, REALs
// with an integral value as N.0 and others with 20 significant digits
// (infinities as ±1e999), blobs as X'…', text quoted with newlines and
// carriage returns spelled through replace().
func writeSQLLiteral(w *bufio.Writer, v Value) {
	switch v.Kind {
	case KindNull:
		w.WriteString("NULL")
	case KindInteger:
		w.WriteString(strconv.FormatInt(v.Int, 10))
	case KindReal:
		w.WriteString(insertReal(v.Real))
	case KindBlob:
		w.WriteString("X'")
		w.WriteString(hex.EncodeToString(v.Bytes))
		w.WriteByte('\'')
	case KindText:
		writeQuotedEscapedString(w, cString(v.Text))
	}
}

// insertReal is insert mode's REAL: "%lld.0" when the value converts to
// an int64 and back unchanged, else "%!.20g".
func insertReal(r float64) string {
	switch {
	case math.IsInf(r, 1):
		return "1e999"
	case math.IsInf(r, -1):
		return "-1e999"
	case r >= -(1<<63) && r < 1<<63 && r == math.Trunc(r):
		return strconv.FormatInt(int64(r), 10) + ".0"
	}
	return formatReal(r, jsonRealPrecision)
}

// writeQuotedEscapedString is the CLI's output_quoted_escaped_string: the
// text in single quotes; newlines and carriage returns are replaced by a
// marker the text does not contain, turned back by replace(…, char(10)).
func writeQuotedEscapedString(w *bufio.Writer, z string) {
	if !strings.ContainsAny(z, "\n\r") {
		writeQuotedString(w, z)
		return
	}
	var nl, cr string
	if strings.Contains(z, "\n") {
		w.WriteString("replace(")
		nl = unusedString(z, `\n`, `\012`)
	}
	if strings.Contains(z, "\r") {
		w.WriteString("replace(")
		cr = unusedString(z, `\r`, `\015`)
	}
	body := strings.ReplaceAll(z, "'", "''")
	body = strings.NewReplacer("\n", nl, "\r", cr).Replace(body)
	w.WriteByte('\'')
	w.WriteString(body)
	w.WriteByte('\'')
	if cr != "" {
		w.WriteString(",'" + cr + "',char(13))")
	}
	if nl != "" {
		w.WriteString(",'" + nl + "',char(10))")
	}
}

// unusedString is the CLI's unused_string: a or b if z does not contain
// it, else the first "(aN)" it does not contain.
func unusedString(z, a, b string) string {
	if !strings.Contains(z, a) {
		return a
	}
	if !strings.Contains(z, b) {
		return b
	}
	for i := 0; ; i++ {
		c := "(" + a + strconv.Itoa(i) + ")"
		if !strings.Contains(z, c) {
			return c
		}
	}
}
