package repl

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// lineReader yields input lines without their terminators ("\n" or
// "\r\n") as the sqlite3 CLI 3.40's local_getline reads them, byte for
// byte: a last line without a newline is still a line, and so is any byte
// sequence (invalid UTF-8 included). The CLI reads a line in fgets chunks
// into a C string, so a NUL byte ends the chunk it is in: what follows it
// up to the end of that chunk is lost, and if the chunk held the line's
// newline the line runs on into the next one. Binary input thus reaches
// the SQL parser as it reaches the CLI's.
type lineReader struct {
	r    *bufio.Reader
	line []byte
}

func newLineReader(in io.Reader) *lineReader { return &lineReader{r: bufio.NewReader(in)} }

// fgetsFirst is the size local_getline gives its first fgets of a line
// (it reads at most one byte less); each later fgets of the same line
// grows the buffer to twice as much plus fgetsFirst when fewer than
// fgetsFirst bytes are free.
const fgetsFirst = 100

// next returns the next line; false at the end of input.
func (l *lineReader) next() (string, bool, error) {
	l.line = l.line[:0]
	size := fgetsFirst
	for {
		if len(l.line)+fgetsFirst > size {
			size = 2*size + fgetsFirst
		}
		chunk, err := l.fgets(size - len(l.line) - 1)
		if err != nil {
			return "", false, fmt.Errorf("read input: %w", err)
		}
		if chunk == nil {
			if len(l.line) == 0 {
				return "", false, nil
			}
			return string(l.line), true, nil
		}
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			chunk = chunk[:i]
		}
		l.line = append(l.line, chunk...)
		if n := len(l.line); n > 0 && l.line[n-1] == '\n' {
			line := l.line[:n-1]
			line = bytes.TrimSuffix(line, []byte{'\r'})
			return string(line), true, nil
		}
	}
}

// fgets reads as C's fgets does: up to max bytes, stopping after a
// newline; nil when the input ended before any byte.
func (l *lineReader) fgets(max int) ([]byte, error) {
	var out []byte
	for len(out) < max {
		if l.r.Buffered() == 0 {
			if _, err := l.r.Peek(1); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, err
			}
		}
		avail, _ := l.r.Peek(min(l.r.Buffered(), max-len(out)))
		if i := bytes.IndexByte(avail, '\n'); i >= 0 {
			out = append(out, avail[:i+1]...)
			l.r.Discard(i + 1)
			return out, nil
		}
		out = append(out, avail...)
		l.r.Discard(len(avail))
	}
	return out, nil
}
