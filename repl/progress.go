package repl

import (
	"fmt"
	"io"
)

// Progress is shown once a batch has sent progressStart statements, and
// refreshed every progressEvery.
const (
	progressStart = 3000
	progressEvery = 1000
)

// progressLine counts statements of a long batch on one self-erasing
// line, for a terminal.
type progressLine struct {
	w      interface{ Write([]byte) (int, error) }
	sent   int
	showed bool
}

// count records one more statement and refreshes the line when due.
func (p *progressLine) count() {
	p.sent++
	if p.w == nil || p.sent < progressStart || p.sent%progressEvery != 0 {
		return
	}
	fmt.Fprintf(p.w, "\r%d statements sent", p.sent)
	p.showed = true
}

// show puts text on the line, for a terminal.
func (p *progressLine) show(text string) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "\r%s\x1b[K", text)
	p.showed = true
}

// clear erases the line so other output starts at column one.
func (p *progressLine) clear() {
	if p.showed {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.showed = false
	}
}

// eraseFirst is a writer that erases the progress line before writing, so
// that results start at column one of a clean line.
type eraseFirst struct {
	p *progressLine
	w io.Writer
}

func (e eraseFirst) Write(b []byte) (int, error) {
	if len(b) > 0 {
		e.p.clear()
	}
	return e.w.Write(b)
}
