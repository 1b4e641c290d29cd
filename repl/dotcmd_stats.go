package repl

import (
	"bufio"
	"context"
	"fmt"
)

// statsMode is the .stats setting.
type statsMode uint8

const (
	statsOff statsMode = iota
	statsOn
	statsStmt
	statsVMStep
)

// String is the setting as .show names it.
func (m statsMode) String() string {
	return [...]string{"off", "on", "stmt", "vmstep"}[m]
}

// sessionStats are the counts .stats reports. The CLI's other lines
// (memory, page cache, VM steps) describe SQLite's connection, which is
// on the node, not in the shell, so they do not apply.
type sessionStats struct {
	statements int64 // statements answered by the node
	rows       int64 // rows they returned
}

// statsCommand is the CLI's .stats ?on|off|stmt|vmstep?: without an
// argument it prints the session's counts; with one it turns printing a
// statement's counts after it on or off.
func statsCommand(s *Shell, _ context.Context, args []string) (bool, bool) {
	switch {
	case len(args) == 0:
		w := s.writer(s.out)
		defer w.Flush()
		s.printSessionStats(w)
	case len(args) > 1:
		return s.usageError(".stats ?on|off|stmt|vmstep?")
	case args[0] == "stmt":
		s.stats = statsStmt
	case args[0] == "vmstep":
		s.stats = statsVMStep
	default:
		s.stats = statsOff
		if s.booleanArg(args[0]) {
			s.stats = statsOn
		}
	}
	return false, false
}

// statLine prints one line as the CLI's display_stats lays them out.
func statLine(w *bufio.Writer, name string, n int64) {
	fmt.Fprintf(w, "%-36s %d\n", name+":", n)
}

// printSessionStats prints what .stats reports for the session.
func (s *Shell) printSessionStats(w *bufio.Writer) {
	statLine(w, "Statements run", s.counts.statements)
	statLine(w, "Rows returned", s.counts.rows)
	statLine(w, "Rows changed (total_changes)", s.totalChanges)
}

// countResult adds a statement's result to the session's counts and, with
// .stats on, prints the statement's own after its output.
func (s *Shell) countResult(w *bufio.Writer, st Statement, r *Result) {
	s.counts.statements++
	s.counts.rows += r.rowCount()
	if s.stats == statsOff {
		return
	}
	statLine(w, "Rows returned", r.rowCount())
	if isDML(st.SQL) {
		statLine(w, "Rows changed", r.RowsAffected)
	}
}
