package repl

import (
	"bufio"
	"fmt"
	"strings"
	"unicode/utf8"
)

// explainWidths are the CLI's column widths for EXPLAIN's eight columns
// (addr, opcode, p1, p2, p3, p4, p5, comment).
var explainWidths = [8]int{4, 13, 4, 4, 4, 13, 2, 13}

// isExplainListing reports an EXPLAIN that is not EXPLAIN QUERY PLAN: the
// CLI lays its rows out as a program listing in every output mode.
func isExplainListing(sql string) bool {
	return isExplain(sql) && !isExplainQueryPlan(sql)
}

// printExplain lays out an EXPLAIN listing as the CLI's MODE_Explain: a
// header and dashes, columns left-aligned to explainWidths (wider when a
// value is), two spaces apart, the last unpadded, and the opcodes inside
// a loop indented by two per level. It reports false when r is not
// shaped like an EXPLAIN listing.
func printExplain(w *bufio.Writer, s *outputSettings, r *Result) bool {
	if len(r.Columns) != len(explainWidths) {
		return false
	}
	if len(r.Rows) == 0 {
		return true
	}
	for i, c := range r.Columns {
		writeExplainCell(w, c, explainWidths[i], i == len(r.Columns)-1)
	}
	for i := range r.Columns {
		writeExplainCell(w, strings.Repeat("-", explainWidths[i]), explainWidths[i], i == len(r.Columns)-1)
	}
	indent := explainIndents(r.Rows)
	for n, row := range r.Rows {
		for i, v := range row {
			text, ok := cellText(v)
			if !ok {
				text = s.nullValue
			}
			width := explainWidths[i]
			last := i == len(row)-1
			if last {
				width = 0
			}
			if i == 1 {
				w.WriteString(strings.Repeat(" ", indent[n]))
			}
			writeExplainCell(w, text, max(width, utf8.RuneCountInString(text)), last)
		}
	}
	return true
}

// writeExplainCell is "%-*.*s" and then two spaces, or a newline after
// the last column.
func writeExplainCell(w *bufio.Writer, text string, width int, last bool) {
	fmt.Fprintf(w, "%-*.*s", width, width, text)
	if last {
		w.WriteByte('\n')
	} else {
		w.WriteString("  ")
	}
}

// explainIndents is the CLI's explain_data_prepare (3.40): the opcodes
// between a loop's start and its Next/Prev, a subroutine's start and its
// Return, or a Yield-like opcode (or any, with p1 set) and a Goto back to
// it, are indented by two more.
func explainIndents(rows [][]Value) []int {
	next := []string{"Next", "Prev", "VPrev", "VNext", "SorterNext", "Return"}
	yield := []string{"Yield", "SeekLT", "SeekGT", "RowSetRead", "Rewind"}
	indent := make([]int, len(rows))
	isYield := make([]bool, len(rows))
	for op, row := range rows {
		addr, opcode, p1, p2 := intOf(row[0]), textOf(row[1]), intOf(row[2]), intOf(row[3])
		p2op := p2 + (op - addr)
		isYield[op] = inList(opcode, yield)
		if inList(opcode, next) && p2op > 0 {
			for i := p2op; i < op; i++ {
				indent[i] += 2
			}
		}
		if opcode == "Goto" && p2op >= 0 && p2op < op+1 && (isYield[p2op] || p1 != 0) {
			for i := p2op; i < op; i++ {
				indent[i] += 2
			}
		}
	}
	return indent
}

func inList(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// intOf is sqlite3_column_int of a listing's value.
func intOf(v Value) int {
	if v.Kind == KindInteger {
		return int(v.Int)
	}
	return 0
}

func textOf(v Value) string {
	t, _ := cellText(v)
	return t
}
