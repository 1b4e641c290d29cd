package main

import (
	"fmt"
	"io"
	"strings"
)

// sessionHeader are the columns of the session-cost table: each system's
// exactly-once and plain runs of the same writes side by side.
func sessionHeader() []string {
	return []string{"workload", "system", "exactly-once", "plain", "cost ×",
		"p50 ms e-o", "p50 ms plain", "p99 ms e-o", "p99 ms plain", "note"}
}

// sessionRows pairs each exactly-once session-cost result with the plain
// one of the same workload, clients and system. cost × is how many times
// longer the exactly-once run took (sess-pipe), or how many times more
// writes per second the plain clients made (sess-conc).
func sessionRows(rep *Report) [][]string {
	var rows [][]string
	for _, eo := range rep.Results {
		base, ok := strings.CutSuffix(eo.System, ", "+variantEO)
		if !eo.isSessionCost() || !ok {
			continue
		}
		plain := rep.find(eo.Workload, eo.Kind, eo.Clients, base+", "+variantPlain)
		if plain == nil {
			continue
		}
		rows = append(rows, sessionRow(eo, plain, base))
	}
	return rows
}

func sessionRow(eo, plain *Result, base string) []string {
	name := eo.Workload
	if eo.Concurrent() {
		name = fmt.Sprintf("%s ×%d", eo.Workload, eo.Clients)
	}
	row := []string{name, base, "-", "-", "", "", "", "", "", joinNotes(eo.note(), plain.note())}
	if len(eo.Samples) == 0 || len(plain.Samples) == 0 {
		return row
	}
	e, p := eo.Median, plain.Median
	if !eo.Concurrent() {
		row[2], row[3] = fmt.Sprintf("%.3f s", e.Seconds), fmt.Sprintf("%.3f s", p.Seconds)
		if p.Seconds > 0 {
			row[4] = ratio(e.Seconds / p.Seconds)
		}
		return row
	}
	row[2], row[3] = fmt.Sprintf("%.0f/s", e.OpsPerSec), fmt.Sprintf("%.0f/s", p.OpsPerSec)
	if e.OpsPerSec > 0 {
		row[4] = ratio(p.OpsPerSec / e.OpsPerSec)
	}
	row[5], row[6] = fmt.Sprintf("%.2f", e.P50Ms), fmt.Sprintf("%.2f", p.P50Ms)
	row[7], row[8] = fmt.Sprintf("%.2f", e.P99Ms), fmt.Sprintf("%.2f", p.P99Ms)
	return row
}

// sessionHeading and sessionNote introduce the session-cost table.
const (
	sessionHeading = "Exactly-once sessions: cost"
	sessionNote    = "The same writes in a client session and without one " +
		"(raw gRPC; sess-pipe: wOnly's statements pipelined on one Session stream, registration included; " +
		"sess-conc: clients each sending one INSERT at a time with Execute). " +
		"cost ×: exactly-once time over plain (sess-pipe), plain writes/s over exactly-once (sess-conc)."
)

// writeSessionTable writes the session-cost table after a blank line and
// its introduction, if the report has session-cost results.
func writeSessionTable(w io.Writer, rep *Report, write func(io.Writer, []string, [][]string) error, intro string) error {
	rows := sessionRows(rep)
	if len(rows) == 0 {
		return nil
	}
	if _, err := fmt.Fprintf(w, "\n%s\n\n", intro); err != nil {
		return fmt.Errorf("write session table: %w", err)
	}
	return write(w, sessionHeader(), rows)
}
