package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"time"
)

// groupState follows one input group's statements: the CLI prints the
// .changes line only after a group without errors.
type groupState struct {
	failed bool
}

// runSQL runs the statements of one SQL group in order and, as the CLI's
// shell_exec does, stops the group at its first failure: the statements
// after it on the same input group are neither run nor reported.
func (s *Shell) runSQL(ctx context.Context, run *inputRun, grp inputGroup) {
	group := &groupState{}
	var started time.Time
	var usage0 syscall.Rusage
	if s.timer {
		started = time.Now()
		syscall.Getrusage(syscall.RUSAGE_SELF, &usage0)
	}
	for i, st := range SplitStatements(grp.text, grp.line) {
		if i > 0 && classify(st.SQL) != kindRead {
			// Only a statement of the group that succeeded lets a write
			// after it run: wait for the replies (a read after a failure
			// is sent, but its reply is dropped; see finishReply).
			s.drain()
		}
		if group.failed {
			break
		}
		s.runStatement(ctx, run, group, st)
	}
	if s.timer {
		s.printTimer(started, usage0)
	}
	if s.showChanges {
		out := s.out
		s.emit(func() {
			if !group.failed {
				s.progress.clear()
				fmt.Fprintf(out, "changes: %d   total_changes: %d\n", s.lastChanges, s.totalChanges)
			}
		})
	}
}

// printTimer writes the CLI's "Run Time:" line to standard output (not
// to an .output file, as the CLI does).
func (s *Shell) printTimer(started time.Time, usage0 syscall.Rusage) {
	s.progress.clear()
	var usage1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage1)
	seconds := func(a, b syscall.Timeval) float64 {
		return float64(b.Sec-a.Sec) + float64(b.Usec-a.Usec)/1e6
	}
	fmt.Fprintf(s.opts.Stdout, "Run Time: real %.3f user %f sys %f\n",
		time.Since(started).Seconds(), seconds(usage0.Utime, usage1.Utime), seconds(usage0.Stime, usage1.Stime))
}

// runStatement handles one statement: transaction control is resolved by
// the REPL, statements inside an open block are collected, anything else
// is sent as a read or a single-statement entry.
func (s *Shell) runStatement(ctx context.Context, run *inputRun, group *groupState, st Statement) {
	sts, idiom := s.vtab.rewrite(st)
	if !idiom {
		s.runOne(ctx, run, group, st)
		return
	}
	for _, st := range sts {
		s.runOne(ctx, run, group, st)
	}
}

// runOne runs one statement, as runStatement.
func (s *Shell) runOne(ctx context.Context, run *inputRun, group *groupState, st Statement) {
	out := s.out // replies print where output went when the statement was read
	s.progress.count()
	switch classify(st.SQL) {
	case kindBegin:
		if s.block != nil {
			s.failSQL(run, group, st, &SQLError{Code: 1, Message: "cannot start a transaction within a transaction", Phase: PhaseRuntime, Offset: -1})
			return
		}
		s.block = &txBlock{}
		return
	case kindCommit:
		if s.block == nil {
			s.failSQL(run, group, st, &SQLError{Code: 1, Message: "cannot commit - no transaction is active", Phase: PhaseRuntime, Offset: -1})
			return
		}
		s.commitBlock(ctx, out, run, group)
		return
	case kindSavepoint:
		name := savepointName(st.SQL)
		if s.block == nil {
			s.block = &txBlock{savepoint: name}
		}
		if s.block.savepoint != "" {
			s.block.open = append(s.block.open, name)
		}
		s.block.stmts = append(s.block.stmts, st)
		return
	case kindRelease:
		if s.block != nil && s.block.savepoint != "" {
			i := s.block.newestOpen(savepointName(st.SQL))
			s.block.stmts = append(s.block.stmts, st)
			if i == 0 {
				s.commitBlock(ctx, out, run, group)
			} else if i > 0 {
				s.block.open = s.block.open[:i]
			}
			return
		}
	case kindRollbackTo:
		if s.block != nil && s.block.savepoint != "" {
			if i := s.block.newestOpen(savepointName(st.SQL)); i >= 0 {
				s.block.open = s.block.open[:i+1]
			}
		}
	case kindRollback:
		if s.block == nil {
			s.failSQL(run, group, st, &SQLError{Code: 1, Message: "cannot rollback - no transaction is active", Phase: PhaseRuntime, Offset: -1})
			return
		}
		s.block = nil
		return
	case kindNoop:
		return
	case kindRead:
		if s.block == nil {
			s.sendPlan(ctx, out, st)
		}
		if calls, ok := sessionCalls(st.SQL); ok && s.block == nil {
			s.answerSessionRead(out, run, group, st, calls)
			return
		}
		if s.block == nil {
			req := Request{Read: true, Query: st.SQL, Level: s.consistency, Params: s.params.bindings(st.SQL), Stream: true}
			s.send(ctx, req, func(r Reply) { s.finishReply(out, run, group, []Statement{st}, false, r) })
			return
		}
	}
	st = liftLiterals(st)
	if s.block != nil {
		s.block.stmts = append(s.block.stmts, st)
		return
	}
	s.sendPlan(ctx, out, st)
	req := Request{Entry: Entry{Statements: []string{st.SQL}}}
	if ps := s.bindings(st); ps != nil {
		req.Entry.Params = [][]Param{ps}
	}
	s.send(ctx, req, func(r Reply) { s.finishReply(out, run, group, []Statement{st}, false, r) })
}

// newestOpen returns the position in b.open of the newest savepoint
// named name, or -1 (a RELEASE or ROLLBACK TO of it then fails the block
// when it is sent).
func (b *txBlock) newestOpen(name string) int {
	for i := len(b.open) - 1; i >= 0; i-- {
		if b.open[i] == name {
			return i
		}
	}
	return -1
}

// commitBlock sends the open block as one all-or-nothing entry.
func (s *Shell) commitBlock(ctx context.Context, out io.Writer, run *inputRun, group *groupState) {
	block := s.block
	s.block = nil
	if len(block.stmts) == 0 {
		return
	}
	entry, slots := s.blockEntry(block.stmts)
	if msg := oversizeBlock(entry); msg != "" {
		s.fail(run, group, s.errorLine("Error", block.stmts[0].Line, msg))
		return
	}
	s.sendBlock(ctx, out, run, group, block.stmts, entry, slots)
}

// finishReply prints a reply to the request made of stmts. A failed block
// prints only the error of the statement that failed: nothing of it was
// applied.
func (s *Shell) finishReply(out io.Writer, run *inputRun, group *groupState, stmts []Statement, block bool, reply Reply) {
	// A streamed result not printed (the group failed before it) is
	// closed, so that the replies after it can come.
	defer closeStreams(reply.Results)
	if group.failed {
		return // an earlier statement of the group failed: the CLI never ran this one
	}
	if reply.Err != nil {
		msg := reply.Err.Error()
		if errors.Is(reply.Err, context.Canceled) {
			msg = "interrupted: " + msg
		}
		if errors.Is(reply.Err, ErrOutcomeUnknown) && !strings.Contains(msg, ErrOutcomeUnknown.Error()) {
			msg = ErrOutcomeUnknown.Error() + ": " + msg
		}
		s.noteOutcomeUnknown(stmts)
		s.failNow(run, group, s.errorLine("Error", stmts[0].Line, msg))
		return
	}
	if len(reply.Results) > len(stmts) || len(reply.Results) == 0 {
		s.failNow(run, group, s.errorLine("Error", stmts[0].Line,
			fmt.Sprintf("server returned %d results for %d statements", len(reply.Results), len(stmts))))
		return
	}
	for i, r := range reply.Results {
		if r.Err != nil {
			s.noteFailure(stmts[i], r.Err)
			s.failNow(run, group, s.sqlErrorText(stmts[i], r.Err))
			return
		}
	}
	if block && len(reply.Results) != len(stmts) {
		s.failNow(run, group, s.errorLine("Error", stmts[0].Line,
			fmt.Sprintf("server returned %d results for %d statements", len(reply.Results), len(stmts))))
		return
	}
	w := s.writer(out)
	defer w.Flush()
	for i := range reply.Results {
		if err := s.printResult(w, stmts[i], &reply.Results[i]); err != nil {
			w.Flush()
			s.failStream(run, group, stmts[i], err)
			return
		}
	}
}

// failStream reports the failure that ended a streamed read after its
// rows so far were printed: SQLite's error as the CLI reports a runtime
// error after rows, else the failure (the read is not sent again).
func (s *Shell) failStream(run *inputRun, group *groupState, st Statement, err error) {
	var se *SQLError
	if errors.As(err, &se) {
		s.noteFailure(st, se)
		s.failNow(run, group, s.sqlErrorText(st, se))
		return
	}
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted: " + msg
	}
	s.failNow(run, group, s.errorLine("Error", st.Line, msg))
}

// writer returns the shell's reusable buffered writer, aimed at out; the
// progress line is erased before its first bytes reach out. The caller
// flushes it before the next call.
func (s *Shell) writer(out io.Writer) *bufio.Writer {
	out = eraseFirst{p: &s.progress, w: out}
	if s.buffered == nil {
		s.buffered = bufio.NewWriter(out)
	} else {
		s.buffered.Reset(out)
	}
	return s.buffered
}

// printResult prints one statement's rows in the current mode, as they
// arrive for a streamed read, and after an INSERT, UPDATE or DELETE
// records the changes (and, at the prompt, in the table modes prints the
// rows affected; a batch prints nothing for a write, as sqlite3). It
// returns the failure that ended a streamed result early.
func (s *Shell) printResult(w *bufio.Writer, st Statement, r *Result) error {
	if isExplainListing(st.SQL) || isExplainQueryPlan(st.SQL) {
		r.collect() // laid out as a whole (a small result)
	}
	if isExplainListing(st.SQL) && printExplain(w, &s.settings, r) {
		s.countResult(w, st, r)
		return r.streamError()
	}
	if isExplainQueryPlan(st.SQL) {
		if rows, ok := eqpRows(r); ok {
			printQueryPlan(w, rows)
			s.countResult(w, st, r)
			return r.streamError()
		}
	}
	switch s.settings.mode {
	case ModeList, ModeASCII:
		printList(w, &s.settings, r)
	case ModeInsert:
		printInsert(w, &s.settings, r)
	case ModeHTML:
		printHTML(w, &s.settings, r)
	case ModeCSV:
		printCSV(w, &s.settings, r)
	case ModeLine:
		printLine(w, &s.settings, r)
	case ModeJSON:
		printJSON(w, r)
	case ModeQuote:
		printQuote(w, &s.settings, r)
	default:
		printTable(w, &s.settings, r)
	}
	if r.LastInsertRowID != 0 {
		s.sess.rowID, s.sess.rowIDUnknown = r.LastInsertRowID, false
	}
	if isDML(st.SQL) {
		s.sess.changesUnknown = false
		s.lastChanges = r.RowsAffected
		s.totalChanges += r.RowsAffected
		if s.opts.Interactive && s.settings.mode.tabular() && len(r.Columns) == 0 {
			noun := "rows"
			if r.RowsAffected == 1 {
				noun = "row"
			}
			fmt.Fprintf(w, "%d %s affected\n", r.RowsAffected, noun)
		}
	}
	s.countResult(w, st, r)
	return r.streamError()
}

// failSQL reports a REPL-detected SQL error (transaction control) in order
// with pipelined output.
func (s *Shell) failSQL(run *inputRun, group *groupState, st Statement, e *SQLError) {
	s.fail(run, group, s.sqlErrorText(st, e))
}

// failNow prints msg to stderr and counts the failure; for use inside
// reply handlers, which already run in order.
func (s *Shell) failNow(run *inputRun, group *groupState, msg string) {
	s.progress.clear()
	io.WriteString(s.opts.Stderr, msg)
	run.errors++
	group.failed = true
}

// errorLine formats an error as the CLI does: "KIND near line N: MSG" in
// batch input, "KIND: MSG" at the prompt.
func (s *Shell) errorLine(kind string, line int, msg string) string {
	if s.opts.Interactive && s.depth == 0 {
		return fmt.Sprintf("%s: %s\n", kind, msg)
	}
	return fmt.Sprintf("%s near line %d: %s\n", kind, line, msg)
}

// sqlErrorText formats a statement's SQLite error with the CLI's kind,
// code and, when SQLite gave an offset, the context lines pointing at it.
func (s *Shell) sqlErrorText(st Statement, e *SQLError) string {
	kind := "Error"
	switch e.Phase {
	case PhaseParse:
		kind = "Parse error"
	case PhaseRuntime:
		kind = "Runtime error"
	}
	msg := e.Error()
	if e.Offset >= 0 {
		msg += errorContext(st.Tail, e.Offset)
	}
	return s.errorLine(kind, st.Line, msg)
}

// errorContext is the CLI's shell_error_context: the statement text around
// the error (at most 78 bytes, starting at most 50 before it, whitespace
// shown as spaces) and a marker under the offending byte.
func errorContext(sql string, offset int) string {
	if offset > len(sql) {
		offset = len(sql)
	}
	for offset > 50 && len(sql) > 0 {
		offset--
		sql = sql[1:]
		for len(sql) > 0 && sql[0]&0xc0 == 0x80 {
			sql = sql[1:]
			offset--
		}
	}
	n := len(sql)
	if n > 78 {
		n = 78
		for n > 0 && sql[n]&0xc0 == 0x80 {
			n--
		}
	}
	code := []byte(sql[:n])
	for i, c := range code {
		if isCSpace(c) {
			code[i] = ' '
		}
	}
	if offset < 25 {
		return fmt.Sprintf("\n  %s\n  %*s^--- error here", code, max(offset, 0), "")
	}
	return fmt.Sprintf("\n  %s\n  %*serror here ---^", code, offset-14, "")
}
