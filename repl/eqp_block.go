package repl

import (
	"context"
	"io"
)

// Inside a BEGIN … COMMIT block, .eqp cannot ask the node for a statement's
// plan before it runs: the block is sent as one entry at COMMIT, and a
// plan must see what the statements before it did (a table the block
// created). So the plans travel in the entry: each statement is preceded
// by its EXPLAIN QUERY PLAN (and, with .eqp full, its EXPLAIN), run
// inside the entry's transaction, and printed before the statement's rows
// when the block commits, as sqlite3 prints them inside a transaction.

// blockSlot tells what one statement of a block's entry is.
type blockSlot struct {
	stmt int // the block statement it belongs to
	kind blockSlotKind
}

type blockSlotKind uint8

const (
	slotStatement blockSlotKind = iota
	slotPlan                    // EXPLAIN QUERY PLAN of the statement
	slotListing                 // EXPLAIN of the statement (.eqp full)
)

// planPrefix and listingPrefix are put before a statement's text.
const (
	planPrefix    = "EXPLAIN QUERY PLAN "
	listingPrefix = "EXPLAIN "
)

// blockEntry is the entry of a block of stmts, with the plans .eqp asks
// for, and what each of its statements is.
func (s *Shell) blockEntry(stmts []Statement) (Entry, []blockSlot) {
	entry := Entry{Block: true}
	var slots []blockSlot
	add := func(i int, kind blockSlotKind, sql string) {
		entry.Statements = append(entry.Statements, sql)
		slots = append(slots, blockSlot{stmt: i, kind: kind})
		if ps := s.bindings(stmts[i]); ps != nil {
			entry.Params = append(entry.Params, make([][]Param, len(entry.Statements)-len(entry.Params))...)
			entry.Params[len(entry.Statements)-1] = ps
		}
	}
	for i, st := range stmts {
		if s.eqp != eqpOff && hasPlan(st.SQL) {
			add(i, slotPlan, planPrefix+st.SQL)
			if s.eqp == eqpFull {
				add(i, slotListing, listingPrefix+st.SQL)
			}
		}
		add(i, slotStatement, st.SQL)
	}
	return entry, slots
}

// hasPlan reports a statement whose plan .eqp shows: not an EXPLAIN
// (which shows only its own output), nor savepoint control (whose plan is
// empty, and which the node checks against the block's open savepoints).
func hasPlan(sql string) bool {
	switch classify(sql) {
	case kindSavepoint, kindRelease, kindRollbackTo:
		return false
	}
	return !isExplain(sql)
}

// finishBlockReply prints the reply to a block sent with plans (slots):
// each plan before its statement's rows. A plan that fails is its
// statement's failure (it fails as the statement would: the same text,
// prepared at the same point), reported at the statement's offsets.
func (s *Shell) finishBlockReply(out io.Writer, run *inputRun, group *groupState, stmts []Statement, slots []blockSlot, reply Reply) {
	if reply.Err != nil || group.failed {
		s.finishReply(out, run, group, stmts, true, reply)
		return
	}
	var results []Result
	for i, r := range reply.Results {
		if i >= len(slots) {
			break
		}
		sl := slots[i]
		if sl.kind != slotStatement && r.Err != nil {
			err := *r.Err
			if err.Offset >= 0 {
				err.Offset = max(0, err.Offset-len(prefixOf(sl.kind)))
			}
			r = Result{Err: &err}
		}
		if sl.kind == slotStatement || r.Err != nil {
			results = append(results, r)
		}
	}
	if len(reply.Results) > len(slots) || hasError(results) || len(reply.Results) != len(slots) {
		s.finishReply(out, run, group, stmts, true, Reply{Results: results})
		return
	}
	w := s.writer(out)
	defer w.Flush()
	for i, r := range reply.Results {
		switch slots[i].kind {
		case slotPlan:
			if rows, ok := eqpRows(&r); ok {
				printQueryPlan(w, rows)
			}
		case slotListing:
			printExplain(w, &s.settings, &r)
		default:
			s.printResult(w, stmts[slots[i].stmt], &reply.Results[i])
		}
	}
}

func prefixOf(k blockSlotKind) string {
	if k == slotPlan {
		return planPrefix
	}
	return listingPrefix
}

func hasError(results []Result) bool {
	for _, r := range results {
		if r.Err != nil {
			return true
		}
	}
	return false
}

// sendBlock sends a block's entry; with .eqp on, with the plans.
func (s *Shell) sendBlock(ctx context.Context, out io.Writer, run *inputRun, group *groupState, stmts []Statement, entry Entry, slots []blockSlot) {
	if len(entry.Statements) == len(stmts) {
		s.send(ctx, Request{Entry: entry}, func(r Reply) { s.finishReply(out, run, group, stmts, true, r) })
		return
	}
	s.send(ctx, Request{Entry: entry}, func(r Reply) { s.finishBlockReply(out, run, group, stmts, slots, r) })
}
