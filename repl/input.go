package repl

import "strings"

// inputKind says what a group of input lines is.
type inputKind uint8

const (
	// inputSQL is SQL text to run: one or more statements.
	inputSQL inputKind = iota
	// inputDot is a dot-command line.
	inputDot
	// inputIgnored is text that runs nothing (blank lines, comments, '#'
	// lines); it is still echoed under .echo on.
	inputIgnored
)

// inputGroup is what the sqlite3 CLI's process_input hands on at once: a
// dot-command line, or the SQL lines accumulated up to a complete
// statement.
type inputGroup struct {
	kind inputKind
	text string
	line int // line number of the group's first line
}

// lineGrouper accumulates input lines into groups exactly as the sqlite3
// CLI 3.40 does: a dot-command is a line starting with '.' (in column one)
// while no SQL is pending; SQL accumulates until a line ends in ';' and the
// text so far is sqlite3_complete; a line holding only "/" or "go" ends
// pending SQL as ';' would.
type lineGrouper struct {
	sql   strings.Builder
	start int
	scan  scanState
}

// pending reports that SQL lines are accumulated waiting for more (the
// prompt shows its continuation form).
func (g *lineGrouper) pending() bool { return g.sql.Len() > 0 }

// reset drops pending SQL (Ctrl-C at the prompt).
func (g *lineGrouper) reset() {
	g.sql.Reset()
	g.scan = scanStart
}

// add takes one input line (without its line terminator) numbered lineNo
// and returns a group when the line completes one.
func (g *lineGrouper) add(line string, lineNo int) (inputGroup, bool) {
	if g.scan.inPlain() && isCommandTerminator(line) && g.completeWithSemicolon() {
		line = ";"
	}
	g.scan = quickScan(line, g.scan)
	if g.scan.plainWhite() && !g.pending() {
		g.scan = scanStart
		return inputGroup{kind: inputIgnored, text: line, line: lineNo}, true
	}
	if !g.pending() && line != "" && (line[0] == '.' || line[0] == '#') {
		g.scan = scanStart
		kind := inputDot
		if line[0] == '#' {
			kind = inputIgnored
		}
		return inputGroup{kind: kind, text: line, line: lineNo}, true
	}
	if !g.pending() {
		g.sql.WriteString(strings.TrimLeft(line, " \t\n\v\f\r"))
		g.start = lineNo
	} else {
		g.sql.WriteByte('\n')
		g.sql.WriteString(line)
	}
	if !g.pending() {
		return inputGroup{}, false
	}
	switch {
	case g.scan.semiTerminated() && Complete(g.sql.String()):
		return g.take(inputSQL), true
	case g.scan.plainWhite():
		return g.take(inputIgnored), true
	}
	return inputGroup{}, false
}

// finish returns the SQL still pending at the end of input, complete or
// not; as the CLI does, it is run and the parser judges it.
func (g *lineGrouper) finish() (inputGroup, bool) {
	if !g.pending() {
		return inputGroup{}, false
	}
	return g.take(inputSQL), true
}

func (g *lineGrouper) take(kind inputKind) inputGroup {
	grp := inputGroup{kind: kind, text: g.sql.String(), line: g.start}
	g.reset()
	return grp
}

// completeWithSemicolon is the CLI's line_is_complete: would the pending
// SQL be complete if a ';' were added?
func (g *lineGrouper) completeWithSemicolon() bool {
	return Complete(g.sql.String() + ";")
}

// isCommandTerminator reports a line that holds only "/" (Oracle style) or
// "go" (SQL Server style), with whitespace and comments around it.
func isCommandTerminator(line string) bool {
	line = strings.TrimLeft(line, " \t\n\v\f\r")
	switch {
	case strings.HasPrefix(line, "/"):
		line = line[1:]
	case len(line) >= 2 && strings.EqualFold(line[:2], "go"):
		line = line[2:]
	default:
		return false
	}
	return quickScan(line, scanStart) == scanStart
}
