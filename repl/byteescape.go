package repl

import (
	"io"
	"strings"
	"unicode/utf8"
)

// The line editor reads its input as UTF-8 runes: a byte that is not part
// of a valid sequence (a Latin-1 'é', typed on a terminal that is not
// UTF-8) would reach the shell as U+FFFD, and SQLite would store other
// bytes than a batch run stores. So the terminal's bytes pass through a
// byteEscaper first, which turns each such byte into a rune of its own
// in the last 256 code points of Unicode (private use, plane 16), and the
// shell turns those runes back into the bytes (unescapeBytes) before it
// runs a line. A rune of that range the terminal sends as valid UTF-8 is
// escaped byte by byte, so it comes back as the same bytes: every line
// reaches SQLite byte for byte as typed. History lines keep the escapes,
// which are valid UTF-8, and come back as the same bytes when run again.

// escapeBase is the rune that stands for byte 0; escapeBase+b for byte b.
const escapeBase rune = 0x10FF00

// escapeLead is the first byte of every escape rune's UTF-8 encoding.
const escapeLead = 0xF4

// byteEscaper reads r and returns valid UTF-8, with the bytes that are
// not valid UTF-8 (and those of runes in the escape range) escaped.
type byteEscaper struct {
	r   io.ReadCloser
	buf [256]byte
	in  []byte // bytes read, not yet converted: an incomplete sequence
	out []byte // converted, not yet returned
	err error  // the error r returned, reported once in and out are empty
}

func newByteEscaper(r io.ReadCloser) *byteEscaper { return &byteEscaper{r: r} }

func (e *byteEscaper) Read(p []byte) (int, error) {
	for len(e.out) == 0 {
		if e.err != nil {
			if len(e.in) == 0 {
				return 0, e.err
			}
			e.convert(true)
			continue
		}
		n, err := e.r.Read(e.buf[:])
		e.in = append(e.in, e.buf[:n]...)
		e.err = err
		e.convert(false)
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

func (e *byteEscaper) Close() error { return e.r.Close() }

// convert moves what it can of in to out; an incomplete sequence at the
// end of in waits for the next bytes, unless final.
func (e *byteEscaper) convert(final bool) {
	i := 0
	for i < len(e.in) {
		rest := e.in[i:]
		if !final && !utf8.FullRune(rest) {
			break
		}
		r, size := utf8.DecodeRune(rest)
		switch {
		case r == utf8.RuneError && size <= 1:
			e.out = utf8.AppendRune(e.out, escapeBase+rune(rest[0]))
			size = 1
		case r >= escapeBase:
			for _, b := range rest[:size] {
				e.out = utf8.AppendRune(e.out, escapeBase+rune(b))
			}
		default:
			e.out = append(e.out, rest[:size]...)
		}
		i += size
	}
	e.in = append(e.in[:0], e.in[i:]...)
}

// unescapeBytes turns the escape runes of a line the editor returned back
// into the bytes they stand for.
func unescapeBytes(line string) string {
	if strings.IndexByte(line, escapeLead) < 0 {
		return line
	}
	var b strings.Builder
	for _, r := range line {
		if r >= escapeBase {
			b.WriteByte(byte(r - escapeBase))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
