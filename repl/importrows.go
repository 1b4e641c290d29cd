package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Rows travel in all-or-nothing batches of at most importBatchRows rows
// and about importBatchBytes of SQL, with at most importWindow batches
// waiting for their replies: an import holds a few MiB, however long its
// input. A batch's results (about 20 bytes a row) stay well under the
// 64 KiB a node keeps of a result for a retry after a leader change.
const (
	importBatchRows  = 1000
	importBatchBytes = 256 << 10
	importWindow     = 16
	// importProgressEvery rows, the progress line (a terminal's) is
	// refreshed.
	importProgressEvery = 10000
)

// importBatch is rows sent as one entry, with the warnings read among
// them.
type importBatch struct {
	stmts []string // one INSERT per row
	lines []int    // the input line each row starts on
	bytes int
	notes []importNote
}

// importNote is a warning printed before row before of its batch (after
// the last row when before is len(stmts)).
type importNote struct {
	before int
	text   string
	failed bool // a row that failed without being sent
}

// readRows reads rows to the end of the input (or until ctx ends, or a
// batch fails as a whole), as the CLI's .import loop does, and sends
// them in batches with sendCtx.
func (im *importer) readRows(ctx, sendCtx context.Context) {
	defer im.send(sendCtx)
	r := im.r
	var sb strings.Builder
	for im.aborted == nil && ctx.Err() == nil {
		start := r.line
		sb.Reset()
		sb.WriteString("INSERT INTO " + im.table + " VALUES(")
		i := im.readRow(&sb, start)
		if r.term == r.colSep {
			for {
				r.next()
				i++
				if r.term != r.colSep {
					break
				}
			}
			im.warn(fmt.Sprintf("%s:%d: expected %d columns but found %d - extras ignored\n", r.file, start, im.nCol, i))
		}
		if i >= im.nCol {
			sb.WriteByte(')')
			im.add(sendCtx, sb.String(), start)
		}
		if r.term == eofTerm {
			return
		}
	}
}

// readRow reads the fields of one row into sb and returns the CLI's
// field count i (at least nCol when the row is to be inserted).
func (im *importer) readRow(sb *strings.Builder, start int) int {
	r := im.r
	for i := 0; i < im.nCol; i++ {
		f, ok := r.next()
		if !ok && i == 0 {
			return 0
		}
		if im.s.settings.mode == modeASCII && (!ok || len(f) == 0) && i == 0 {
			return 0
		}
		if i > 0 {
			sb.WriteByte(',')
		}
		writeLiteral(sb, f, ok)
		if i < im.nCol-1 && r.term != r.colSep {
			im.warn(fmt.Sprintf("%s:%d: expected %d columns but found %d - filling the rest with NULL\n", r.file, start, im.nCol, i+1))
			sb.WriteString(strings.Repeat(",NULL", im.nCol-1-i))
			return im.nCol + 2
		}
	}
	return im.nCol
}

// add queues one row's INSERT, sending the batch when it is full.
func (im *importer) add(ctx context.Context, stmt string, line int) {
	b := im.batch
	if len(stmt) > sqlval.MaxStatementBytes {
		b.notes = append(b.notes, importNote{before: len(b.stmts), failed: true, text: fmt.Sprintf(
			"%s:%d: INSERT failed: the row's INSERT is %d bytes; one statement may be at most %d bytes\n", im.r.file, line, len(stmt), sqlval.MaxStatementBytes)})
		return
	}
	b.stmts = append(b.stmts, stmt)
	b.lines = append(b.lines, line)
	b.bytes += len(stmt)
	im.sent++
	if im.sent%importProgressEvery == 0 {
		im.s.progress.show(fmt.Sprintf("%s: %d rows sent", im.r.file, im.sent))
	}
	if len(b.stmts) >= importBatchRows || b.bytes >= importBatchBytes {
		im.send(ctx)
	}
}

// send sends the current batch (its warnings alone when it has no
// rows) and waits while too many batches are unanswered.
func (im *importer) send(ctx context.Context) {
	s := im.s
	b := im.batch
	im.batch = &importBatch{}
	if len(b.stmts) == 0 {
		if len(b.notes) > 0 {
			s.emit(func() { im.report(b, nil, nil) })
		}
		return
	}
	req := Request{Entry: Entry{Statements: b.stmts, Block: true}}
	s.send(ctx, req, func(r Reply) { im.settle(ctx, b, r) })
	for s.inFlight > importWindow {
		s.collectOldest()
	}
}

// settle handles a batch's reply. A batch that failed applied nothing:
// its rows are then sent again one by one (importretry.go), so that each
// row is inserted or fails alone, as in the CLI.
func (im *importer) settle(ctx context.Context, b *importBatch, reply Reply) {
	k, err := failedAt(reply, len(b.stmts))
	if err != nil {
		im.abort(b, err)
		return
	}
	if k >= 0 {
		failed, done, err := im.oneByOne(ctx, b)
		if err != nil {
			im.abort(b, err)
			return
		}
		im.report(b, failed, done)
		return
	}
	done := map[int]*Result{}
	for i := range reply.Results {
		done[i] = &reply.Results[i]
	}
	im.report(b, nil, done)
}

// failedAt returns the position of the row whose error failed the batch,
// -1 when all were inserted, or why the reply cannot be read so.
func failedAt(reply Reply, rows int) (int, error) {
	if reply.Err != nil {
		return 0, reply.Err
	}
	for k, r := range reply.Results {
		if r.Err != nil && strings.HasPrefix(r.Err.Message, "the write applied once") {
			// Applied, its results not kept: sending rows again would
			// insert them twice.
			return 0, errors.New(r.Err.Message)
		}
		if r.Err != nil {
			return k, nil
		}
	}
	if len(reply.Results) != rows {
		return 0, fmt.Errorf("server returned %d results for %d rows", len(reply.Results), rows)
	}
	return -1, nil
}

// report prints a settled batch's warnings and failed rows in input
// order and counts its rows, as the CLI would have printed and counted
// them while inserting.
func (im *importer) report(b *importBatch, failed map[int]*SQLError, done map[int]*Result) {
	s := im.s
	notes := b.notes
	for i := 0; i <= len(b.stmts); i++ {
		for len(notes) > 0 && notes[0].before <= i {
			s.progress.clear()
			io.WriteString(s.opts.Stderr, notes[0].text)
			if notes[0].failed {
				im.errs++
				im.lastFailed = true
			}
			notes = notes[1:]
		}
		if i == len(b.stmts) {
			break
		}
		if e := failed[i]; e != nil {
			s.progress.clear()
			fmt.Fprintf(s.opts.Stderr, "%s:%d: INSERT failed: %s\n", im.r.file, b.lines[i], e.Message)
			s.noteFailure(Statement{SQL: b.stmts[i]}, e)
			im.errs++
			im.lastFailed = true
			continue
		}
		im.noteInserted(done[i])
	}
}

// noteInserted counts an inserted row and makes it the session's latest
// write, for changes() and last_insert_rowid().
func (im *importer) noteInserted(r *Result) {
	s := im.s
	im.rows++
	im.lastFailed = false
	s.sess.rowID, s.sess.rowIDUnknown = r.LastInsertRowID, false
	s.sess.changesUnknown = false
	s.lastChanges = r.RowsAffected
	s.totalChanges += r.RowsAffected
}

// abort reports a batch that failed as a whole (no reply, unknown
// outcome): its rows may or may not be in the table, and the import
// stops.
func (im *importer) abort(b *importBatch, err error) {
	s := im.s
	if im.aborted == nil {
		im.aborted = err
	}
	s.sess.rowIDUnknown, s.sess.changesUnknown = true, true
	s.progress.clear()
	fmt.Fprintf(s.opts.Stderr, "%s:%d: import stopped: the write of the rows from this line to line %d failed: %v\n", im.r.file, b.lines[0], b.lines[len(b.lines)-1], err)
}
