package repl

import (
	"bufio"
	"strings"
)

// eqpMode is the .eqp setting: whether each statement's query plan is
// shown before it runs.
type eqpMode uint8

const (
	eqpOff eqpMode = iota
	eqpOn
	eqpTrigger
	eqpFull // the CLI's AUTOEQP_full: the plan and the EXPLAIN listing
)

// String is the setting as .show names it.
func (m eqpMode) String() string {
	return [...]string{"off", "on", "trigger", "full"}[m&3]
}

// isExplainQueryPlan reports an EXPLAIN QUERY PLAN statement, whose rows
// the CLI draws as a tree in every mode.
func isExplainQueryPlan(sql string) bool {
	words, _ := leadingWords(sql, 3)
	return len(words) == 3 && words[0] == "EXPLAIN" && words[1] == "QUERY" && words[2] == "PLAN"
}

// eqpRow is one row of EXPLAIN QUERY PLAN: (id, parent, notused, detail).
type eqpRow struct {
	id, parent int64
	detail     string
}

// eqpRows reads r as EXPLAIN QUERY PLAN output, or reports that it is not
// shaped like it.
func eqpRows(r *Result) ([]eqpRow, bool) {
	if len(r.Columns) != 4 {
		return nil, false
	}
	rows := make([]eqpRow, 0, len(r.Rows))
	for _, v := range r.Rows {
		if v[0].Kind != KindInteger || v[1].Kind != KindInteger || v[3].Kind != KindText {
			return nil, false
		}
		rows = append(rows, eqpRow{id: v[0].Int, parent: v[1].Int, detail: v[3].Text})
	}
	return rows, true
}

// printQueryPlan draws the plan as the CLI's eqp_render does:
//
//	QUERY PLAN
//	|--SCAN t
//	`--LIST SUBQUERY 1
//	   `--SCAN t
func printQueryPlan(w *bufio.Writer, rows []eqpRow) {
	if len(rows) == 0 {
		return
	}
	if strings.HasPrefix(rows[0].detail, "-") {
		if len(rows) == 1 {
			return
		}
		w.WriteString(rows[0].detail[min(3, len(rows[0].detail)):])
		w.WriteByte('\n')
		rows = rows[1:]
	} else {
		w.WriteString("QUERY PLAN\n")
	}
	printPlanLevel(w, rows, 0, "")
}

// maxPlanPrefix is the CLI's bound on the tree's indentation (its prefix
// buffer is 100 bytes; a level needs 3 more and a terminator).
const maxPlanPrefix = 100 - 7

func printPlanLevel(w *bufio.Writer, rows []eqpRow, parent int64, prefix string) {
	var children []eqpRow
	for _, r := range rows {
		if r.parent == parent {
			children = append(children, r)
		}
	}
	for i, r := range children {
		last := i == len(children)-1
		w.WriteString(prefix)
		if last {
			w.WriteString("`--")
		} else {
			w.WriteString("|--")
		}
		w.WriteString(r.detail)
		w.WriteByte('\n')
		if len(prefix) < maxPlanPrefix {
			next := prefix + "|  "
			if last {
				next = prefix + "   "
			}
			printPlanLevel(w, rows, r.id, next)
		}
	}
}
