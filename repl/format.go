package repl

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// cString cuts s at its first NUL byte: the CLI handles values as C
// strings, so text and blobs print only up to a NUL.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// cellText is a value as sqlite3_column_text renders it, and whether it
// is NULL (then the caller prints .nullvalue).
func cellText(v Value) (string, bool) {
	switch v.Kind {
	case KindInteger:
		return strconv.FormatInt(v.Int, 10), true
	case KindReal:
		return formatReal(v.Real, textRealPrecision), true
	case KindText:
		return cString(v.Text), true
	case KindBlob:
		return cString(string(v.Bytes)), true
	}
	return "", false
}

// cellWriter writes values as cellText renders them, numbers through a
// reused buffer instead of a string each.
type cellWriter struct {
	w       *bufio.Writer
	scratch []byte
}

// write writes v's text, or null for NULL.
func (cw *cellWriter) write(v Value, null string) {
	switch v.Kind {
	case KindInteger:
		cw.scratch = strconv.AppendInt(cw.scratch[:0], v.Int, 10)
		cw.w.Write(cw.scratch)
	case KindReal:
		cw.scratch = sqlval.AppendReal(cw.scratch[:0], v.Real, textRealPrecision)
		cw.w.Write(cw.scratch)
	case KindText:
		cw.w.WriteString(cString(v.Text))
	case KindBlob:
		b := v.Bytes
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		cw.w.Write(b)
	default:
		cw.w.WriteString(null)
	}
}

// writeCSVNumber writes an INTEGER or REAL as writeCSVField would: its
// characters never need quoting, unless the column separator is among
// them.
func (cw *cellWriter) writeCSVNumber(s *outputSettings, v Value) {
	if v.Kind == KindInteger {
		cw.scratch = strconv.AppendInt(cw.scratch[:0], v.Int, 10)
	} else {
		cw.scratch = sqlval.AppendReal(cw.scratch[:0], v.Real, textRealPrecision)
	}
	if s.colSep == "" || bytes.Contains(cw.scratch, []byte(s.colSep)) {
		writeCSVField(cw.w, s, string(cw.scratch))
		return
	}
	cw.w.Write(cw.scratch)
}

// printList prints r in list mode (also tabs): values joined by the
// column separator, NULL as .nullvalue, a header line first with .headers.
func printList(w *bufio.Writer, s *outputSettings, r *Result) {
	r.fill(1)
	if len(r.Rows) == 0 {
		return
	}
	if s.headers {
		for i, c := range r.Columns {
			w.WriteString(c)
			w.WriteString(separatorAfter(s, i, len(r.Columns)))
		}
	}
	cw := cellWriter{w: w}
	r.eachRow(func(_ int, row []Value) {
		for i, v := range row {
			cw.write(v, s.nullValue)
			w.WriteString(separatorAfter(s, i, len(row)))
		}
	})
}

func separatorAfter(s *outputSettings, i, n int) string {
	if i == n-1 {
		return s.rowSep
	}
	return s.colSep
}

// csvNeedsQuote is the CLI's needCsvQuote table: control characters,
// space, double and single quotes, DEL and every non-ASCII byte force
// quoting.
func csvNeedsQuote(c byte) bool {
	return c <= ' ' || c == '"' || c == '\'' || c >= 0x7f
}

// writeCSVField is the CLI's output_csv for one non-NULL field.
func writeCSVField(w *bufio.Writer, s *outputSettings, text string) {
	quote := text == "" || strings.Contains(text, s.colSep)
	for i := 0; i < len(text) && !quote; i++ {
		quote = csvNeedsQuote(text[i])
	}
	if !quote {
		w.WriteString(text)
		return
	}
	w.WriteByte('"')
	w.WriteString(strings.ReplaceAll(text, `"`, `""`))
	w.WriteByte('"')
}

// printCSV prints r in csv mode.
func printCSV(w *bufio.Writer, s *outputSettings, r *Result) {
	r.fill(1)
	if len(r.Rows) == 0 {
		return
	}
	if s.headers {
		for i, c := range r.Columns {
			writeCSVField(w, s, c)
			w.WriteString(separatorAfter(s, i, len(r.Columns)))
		}
	}
	cw := cellWriter{w: w}
	r.eachRow(func(_ int, row []Value) {
		for i, v := range row {
			switch v.Kind {
			case KindNull:
				w.WriteString(s.nullValue)
			case KindInteger, KindReal:
				cw.writeCSVNumber(s, v)
			default:
				text, _ := cellText(v)
				writeCSVField(w, s, text)
			}
			w.WriteString(separatorAfter(s, i, len(row)))
		}
	})
}

// printLine prints r in line mode: one "name = value" line per column,
// names right-aligned (by bytes) to the longest, at least 5 wide, and a
// row separator between records.
func printLine(w *bufio.Writer, s *outputSettings, r *Result) {
	r.fill(1)
	width := 5
	for _, c := range r.Columns {
		width = max(width, len(c))
	}
	cw := cellWriter{w: w}
	r.eachRow(func(n int, row []Value) {
		if n > 0 {
			w.WriteString(s.rowSep)
		}
		for i, v := range row {
			// C's %*s pads by bytes, not characters.
			w.WriteString(strings.Repeat(" ", width-len(r.Columns[i])))
			w.WriteString(r.Columns[i])
			w.WriteString(" = ")
			cw.write(v, s.nullValue)
			w.WriteString(s.rowSep)
		}
	})
}

// writeJSONString is the CLI's output_json_string: '"' and '\\' escaped,
// control characters as \b \f \n \r \t or \u00XX, other bytes as they are.
func writeJSONString(w *bufio.Writer, s string) {
	w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '"':
			w.WriteByte('\\')
			w.WriteByte(c)
		case c == '\b':
			w.WriteString(`\b`)
		case c == '\f':
			w.WriteString(`\f`)
		case c == '\n':
			w.WriteString(`\n`)
		case c == '\r':
			w.WriteString(`\r`)
		case c == '\t':
			w.WriteString(`\t`)
		case c <= 0x1f:
			fmt.Fprintf(w, `\u%04x`, c)
		default:
			w.WriteByte(c)
		}
	}
	w.WriteByte('"')
}

// printJSON prints r in json mode: an array of objects, one per row, rows
// separated by ",\n"; REAL with 20 significant digits, infinities as
// ±1e999, blobs as strings of their bytes.
func printJSON(w *bufio.Writer, r *Result) {
	r.fill(1)
	if len(r.Rows) == 0 {
		return
	}
	r.eachRow(func(n int, row []Value) {
		if n == 0 {
			w.WriteString("[{")
		} else {
			w.WriteString(",\n{")
		}
		for i, v := range row {
			writeJSONString(w, cString(r.Columns[i]))
			w.WriteByte(':')
			switch v.Kind {
			case KindNull:
				w.WriteString("null")
			case KindInteger:
				w.WriteString(strconv.FormatInt(v.Int, 10))
			case KindReal:
				switch {
				case math.IsInf(v.Real, 1):
					w.WriteString("1e999")
				case math.IsInf(v.Real, -1):
					w.WriteString("-1e999")
				default:
					w.WriteString(formatReal(v.Real, jsonRealPrecision))
				}
			case KindText:
				writeJSONString(w, cString(v.Text))
			case KindBlob:
				writeJSONString(w, string(v.Bytes))
			}
			if i < len(row)-1 {
				w.WriteByte(',')
			}
		}
		w.WriteByte('}')
	})
	w.WriteString("]\n")
}

// writeQuotedString is the CLI's output_quoted_string: the text in single
// quotes, quotes inside doubled, up to a NUL.
func writeQuotedString(w *bufio.Writer, s string) {
	w.WriteByte('\'')
	w.WriteString(strings.ReplaceAll(cString(s), "'", "''"))
	w.WriteByte('\'')
}

// printQuote prints r in quote mode: values as SQL literals (text quoted,
// blobs as X'…', NULL as NULL), REALs with 20 significant digits
// (infinities as Inf, unlike json mode); headers quoted too.
func printQuote(w *bufio.Writer, s *outputSettings, r *Result) {
	r.fill(1)
	if len(r.Rows) == 0 {
		return
	}
	if s.headers {
		for i, c := range r.Columns {
			if i > 0 {
				w.WriteString(s.colSep)
			}
			writeQuotedString(w, c)
		}
		w.WriteString(s.rowSep)
	}
	r.eachRow(func(_ int, row []Value) {
		for i, v := range row {
			if i > 0 {
				w.WriteString(s.colSep)
			}
			switch v.Kind {
			case KindNull:
				w.WriteString("NULL")
			case KindText:
				writeQuotedString(w, v.Text)
			case KindInteger:
				w.WriteString(strconv.FormatInt(v.Int, 10))
			case KindReal:
				w.WriteString(formatReal(v.Real, jsonRealPrecision))
			case KindBlob:
				w.WriteString("X'")
				w.WriteString(hex.EncodeToString(v.Bytes))
				w.WriteByte('\'')
			}
		}
		w.WriteString(s.rowSep)
	})
}
