package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// tableHeader are the columns of the results table. The ×… columns are
// how many times slower than that baseline a system was on the same
// workload: time over the baseline's time for the batch workloads, the
// baseline's throughput over the system's for the concurrent ones.
func tableHeader() []string {
	return []string{"workload", "system", "time", "×mem", "×file", "×wal", "×inproc",
		"ops/s", "p50 ms", "p99 ms", "node RSS MB", "node +MB", "client RSS MB", "note"}
}

// tableRows renders the report's results as table cells, batch workloads
// first in the order they ran, then the concurrent ones by kind and
// number of clients (the session-cost results have a table of their own).
func tableRows(rep *Report) [][]string {
	rs := slices.DeleteFunc(slices.Clone(rep.Results), (*Result).isSessionCost)
	slices.SortStableFunc(rs, func(a, b *Result) int {
		if a.Concurrent() != b.Concurrent() || !a.Concurrent() {
			return boolCmp(a.Concurrent(), b.Concurrent())
		}
		return cmpConc(a, b)
	})
	rows := make([][]string, 0, len(rs))
	for _, r := range rs {
		rows = append(rows, tableRow(rep, r))
	}
	return rows
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func cmpConc(a, b *Result) int {
	ka, kb := slices.Index(concKinds(), a.Kind), slices.Index(concKinds(), b.Kind)
	if ka != kb {
		return ka - kb
	}
	return a.Clients - b.Clients
}

func tableRow(rep *Report, r *Result) []string {
	m := r.Median
	name := r.Workload
	row := []string{name, r.System, fmt.Sprintf("%.3f s", m.Seconds), "", "", "", "",
		fmt.Sprintf("%.0f", m.OpsPerSec), "", "", mb(m.NodeRSSKB), "", mb(m.ClientRSSKB), r.note()}
	if m.NodeRSSKB > 0 {
		row[11] = fmt.Sprintf("%.1f", float64(m.NodeGrowthKB)/1024)
	}
	if len(r.Samples) == 0 {
		row[2], row[7] = "-", "-"
		return row
	}
	if r.Concurrent() {
		row[0] = fmt.Sprintf("%s ×%d", r.Workload, r.Clients)
		if b := rep.find(r.Workload, r.Kind, r.Clients, sysInProc); b != nil && m.OpsPerSec > 0 {
			row[6] = ratio(b.Median.OpsPerSec / m.OpsPerSec)
		}
		row[8], row[9] = fmt.Sprintf("%.2f", m.P50Ms), fmt.Sprintf("%.2f", m.P99Ms)
		return row
	}
	for i, base := range []string{sysMem, sysFile, sysWAL} {
		if b := rep.find(r.Workload, "", 0, base); b != nil && b.Median.Seconds > 0 {
			row[3+i] = ratio(m.Seconds / b.Median.Seconds)
		}
	}
	return row
}

func ratio(x float64) string { return fmt.Sprintf("%.2f", x) }

func mb(kb int64) string {
	if kb == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", float64(kb)/1024)
}

// writeTable writes header and rows as a plain-text table with aligned
// columns.
func writeTable(w io.Writer, header []string, rows [][]string) error {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			pad := width[i] - len([]rune(c))
			if i > 1 && i < len(r)-1 { // numbers align right
				b.WriteString(strings.Repeat(" ", pad) + c)
			} else {
				b.WriteString(c + strings.Repeat(" ", pad))
			}
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, trimLines(b.String())); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// trimLines removes trailing spaces from every line.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// writeMarkdownTable writes header and rows as a Markdown table.
func writeMarkdownTable(w io.Writer, header []string, rows [][]string) error {
	var b strings.Builder
	line := func(cells []string) {
		esc := make([]string, len(cells))
		for i, c := range cells {
			esc[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		b.WriteString("| " + strings.Join(esc, " | ") + " |\n")
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = "---"
		if i > 1 && i < len(header)-1 {
			sep[i] = "---:"
		}
	}
	b.WriteString("|" + strings.Join(sep, "|") + "|\n")
	for _, r := range rows {
		line(r)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write Markdown table: %w", err)
	}
	return nil
}

// runsNote says how many runs the medians are of.
func runsNote(rep *Report) string {
	if rep.RunsDone > 0 && rep.RunsDone < rep.Config.Runs {
		return fmt.Sprintf("median of %d runs of %d: the -deadline (%v) cut the suite short", rep.RunsDone, rep.Config.Runs, rep.Config.Deadline)
	}
	return fmt.Sprintf("median of %d runs", rep.Config.Runs)
}

// runLine says when, how and where rep was measured.
func runLine(rep *Report) string {
	m, c := rep.Machine, rep.Config
	mode := "full"
	if c.Quick {
		mode = "-quick"
	}
	load := "load average at start " + m.LoadAvg
	if rep.LoadAvgEnd != "" {
		load += ", at end " + rep.LoadAvgEnd
	}
	return fmt.Sprintf("Run %s (%s, scale %d, %s, seed %d) in %.0f s on %s: %d CPUs, %s, %s, sqlite3 %s, %s.",
		rep.Started.Format("2006-01-02 15:04 UTC"), mode, c.Scale, runsNote(rep), c.Seed, rep.Duration,
		m.Hostname, m.CPUs, m.OS, m.Go, m.SQLite3, load)
}

// sizesLine says what sizes c's workloads had.
func sizesLine(c Config) string {
	return fmt.Sprintf("Sizes: N=%d; wHeavy %d writes then %d reads ×%d; rHeavy %d writes then %d reads ×%d; "+
		"%d alternating INSERT/SELECT pairs; large reads of %v rows; concurrent clients %v, %v each, on %d rows.",
		c.Sizes.N, c.Sizes.HeavyWrites, c.Sizes.HeavyReads, c.Sizes.Rounds, c.Sizes.LightWrites, c.Sizes.LightReads,
		c.Sizes.Rounds, c.Sizes.Pairs, c.Sizes.Large, c.Clients, c.ConcDuration, c.ConcRows)
}

// joinNotes joins the non-empty notes with "; ".
func joinNotes(notes ...string) string {
	return strings.Join(slices.DeleteFunc(notes, func(s string) bool { return s == "" }), "; ")
}

// writeMarkdown writes the report: where it ran, how, the table and the
// charts.
func writeMarkdown(w io.Writer, rep *Report) error {
	c := rep.Config
	fmt.Fprintf(w, "# ReSqlite benchmarks\n\n%s\n\n", runLine(rep))
	fmt.Fprintf(w, "%s\n\n", sizesLine(c))
	fmt.Fprintf(w, "×mem, ×file, ×wal: time over the sqlite3 CLI's on the same workload (in memory; a file with the default journal; "+
		"WAL with synchronous=FULL). ×inproc: the in-process SQLite baseline's throughput over the system's. "+
		"RSS: peak resident set during the run (the largest node's; the client process); node +MB: the largest rise of a node's RSS "+
		"during the run over its RSS when the run started (a node keeps memory of earlier runs, large reads above all).\n\n")
	if err := writeMarkdownTable(w, tableHeader(), tableRows(rep)); err != nil {
		return err
	}
	if err := writeSessionTable(w, rep, writeMarkdownTable, "## "+sessionHeading+"\n\n"+sessionNote()); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n![time per workload](%s)\n\n![throughput vs clients](%s)\n\n![latency percentiles](%s)\n",
		chartTime, chartThroughput, chartLatency)
	if err != nil {
		return fmt.Errorf("write Markdown: %w", err)
	}
	return nil
}
