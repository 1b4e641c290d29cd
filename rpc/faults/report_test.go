package faults

import (
	"fmt"
	"strings"
	"time"
)

// row is one line of the figures table: one workload under one nemesis.
type row struct {
	nemesis, workload    string
	nodes                int
	ok, unknown, failed  int
	secs                 float64
	verdict              string
	gap                  time.Duration
	killToWrite, digests string
}

func newRow(rs runSpec, wl workload, verdict string, from, to time.Duration, kills []time.Duration, digests string) row {
	t := wl.tally()
	t.mu.Lock()
	r := row{nemesis: rs.nemesis, workload: wl.name(), nodes: rs.nodes, ok: t.ok, unknown: t.unknown, failed: t.failed,
		secs: (to - from).Seconds(), verdict: verdict, digests: digests}
	t.mu.Unlock()
	r.gap = t.writeGap(from, to)
	r.killToWrite = "no leader killed"
	if worst, ok, missing := t.killToWrite(kills); ok || missing > 0 {
		r.killToWrite = fmt.Sprintf("max %v over %d", worst.Round(time.Millisecond), len(kills))
		if missing > 0 {
			r.killToWrite += fmt.Sprintf(" (%d with no write after)", missing)
		}
	}
	return r
}

// renderTable renders rows as a Markdown table.
func renderTable(rows []row) string {
	var b strings.Builder
	b.WriteString("| nemesis | nodes | workload | ok | unknown | failed | ok/s | unknown/s | failed/s | verdict | longest write gap | leader kill → first write | digests |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %s | %d | %d | %d | %.1f | %.2f | %.2f | %s | %v | %s | %s |\n",
			r.nemesis, r.nodes, r.workload, r.ok, r.unknown, r.failed,
			float64(r.ok)/r.secs, float64(r.unknown)/r.secs, float64(r.failed)/r.secs,
			r.verdict, r.gap.Round(time.Millisecond), r.killToWrite, r.digests)
	}
	return b.String()
}
