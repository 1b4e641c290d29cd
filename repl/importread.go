package repl

import (
	"bufio"
	"fmt"
	"io"
)

// eofTerm is what a field reader's term holds at the end of input (the
// CLI's EOF).
const eofTerm = -1

// fieldReader reads the fields of an .import input one at a time, as the
// sqlite3 CLI's csv_read_one_field and ascii_read_one_field do, so that
// quoting, line numbers and warnings are the CLI's.
type fieldReader struct {
	in       *bufio.Reader
	file     string // the name messages give (the path, or "<pipe>")
	colSep   int
	rowSep   int
	ascii    bool   // ascii_read_one_field: no quoting
	line     int    // the CLI's nLine: 1 + row separators read
	term     int    // what ended the last field: colSep, rowSep or eofTerm
	notFirst bool   // a field was read (a UTF-8 BOM is skipped only before)
	buf      []byte // the last field
	// warn receives the CLI's warnings about quoting, each a full line.
	warn func(string)
}

// readByte returns the next input byte, or eofTerm.
func (r *fieldReader) readByte() int {
	b, err := r.in.ReadByte()
	if err != nil {
		return eofTerm
	}
	return int(b)
}

// next reads one field; ok is false at the end of input (term is then
// eofTerm). The field is valid until the next call.
func (r *fieldReader) next() (field []byte, ok bool) {
	r.buf = r.buf[:0]
	c := r.readByte()
	if c == eofTerm {
		r.term = eofTerm
		return nil, false
	}
	switch {
	case r.ascii:
		r.unquoted(c)
	case c == '"':
		r.quoted()
	default:
		// A UTF-8 byte order mark before the first field is skipped;
		// the bytes of a partial one stay in the field, as in the CLI.
		if c == 0xef && !r.notFirst {
			r.buf = append(r.buf, byte(c))
			if c = r.readByte(); c == 0xbb {
				r.buf = append(r.buf, byte(c))
				if c = r.readByte(); c == 0xbf {
					r.notFirst = true
					return r.next()
				}
			}
		}
		r.unquoted(c)
	}
	r.notFirst = true
	return r.buf, true
}

// unquoted reads a field up to a separator or the end, starting with c.
func (r *fieldReader) unquoted(c int) {
	for c != eofTerm && c != r.colSep && c != r.rowSep {
		r.buf = append(r.buf, byte(c))
		c = r.readByte()
	}
	r.finishUnquoted(c)
}

// finishUnquoted records the terminator c; a CSV field ending a row
// loses a trailing CR.
func (r *fieldReader) finishUnquoted(c int) {
	if c == r.rowSep {
		r.line++
		if !r.ascii && len(r.buf) > 0 && r.buf[len(r.buf)-1] == '\r' {
			r.buf = r.buf[:len(r.buf)-1]
		}
	}
	r.term = c
}

// quoted reads a "…" field ("" is one quote), as csv_read_one_field does,
// warning about an unescaped quote and an unterminated field.
func (r *fieldReader) quoted() {
	const q = '"'
	start := r.line
	pc, ppc := 0, 0
	for {
		c := r.readByte()
		if c == r.rowSep {
			r.line++
		}
		if c == q && pc == q {
			pc = 0
			continue
		}
		if (c == r.colSep && pc == q) || (c == r.rowSep && pc == q) ||
			(c == r.rowSep && pc == '\r' && ppc == q) || (c == eofTerm && pc == q) {
			n := len(r.buf) - 1
			for n >= 0 && r.buf[n] != q {
				n--
			}
			r.buf = r.buf[:max(n, 0)]
			r.term = c
			return
		}
		if pc == q && c != '\r' {
			r.warn(fmt.Sprintf("%s:%d: unescaped %c character\n", r.file, r.line, q))
		}
		if c == eofTerm {
			r.warn(fmt.Sprintf("%s:%d: unterminated %c-quoted field\n", r.file, start, q))
			r.term = c
			return
		}
		r.buf = append(r.buf, byte(c))
		ppc, pc = pc, c
	}
}

// newFieldReader reads in with the given separators.
func newFieldReader(in io.Reader, file string, colSep, rowSep byte, ascii bool, warn func(string)) *fieldReader {
	return &fieldReader{in: bufio.NewReaderSize(in, 64<<10), file: file, colSep: int(colSep), rowSep: int(rowSep), ascii: ascii, line: 1, warn: warn}
}
