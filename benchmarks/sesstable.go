package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// sessionHeader are the columns of the session-cost table: each system's
// exactly-once and plain runs of the same writes side by side.
func sessionHeader() []string {
	return []string{"workload", "system", "exactly-once", "plain", "cost ×", "per run",
		"p50 ms e-o", "p50 ms plain", "p99 ms e-o", "p99 ms plain", "note"}
}

// sessionRows pairs each exactly-once session-cost result with the plain
// one of the same workload, clients and system. cost × is how many times
// longer the exactly-once run took (sess-pipe), or how many times more
// writes per second the plain clients made (sess-conc): the median of
// each run's ratio (the two variants ran back to back), "per run" their
// range.
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
	row := []string{name, base, "-", "-", "", "", "", "", "", "", joinNotes(eo.note(), plain.note())}
	if len(eo.Samples) == 0 || len(plain.Samples) == 0 {
		return row
	}
	e, p := eo.Median, plain.Median
	if costs := pairedCosts(eo, plain); len(costs) > 0 {
		row[4] = ratio(median(costs))
		row[5] = ratio(slices.Min(costs)) + "–" + ratio(slices.Max(costs))
	}
	if !eo.Concurrent() {
		row[2], row[3] = fmt.Sprintf("%.3f s", e.Seconds), fmt.Sprintf("%.3f s", p.Seconds)
		return row
	}
	row[2], row[3] = fmt.Sprintf("%.0f/s", e.OpsPerSec), fmt.Sprintf("%.0f/s", p.OpsPerSec)
	row[6], row[7] = fmt.Sprintf("%.2f", e.P50Ms), fmt.Sprintf("%.2f", p.P50Ms)
	row[8], row[9] = fmt.Sprintf("%.2f", e.P99Ms), fmt.Sprintf("%.2f", p.P99Ms)
	return row
}

// pairedCosts returns each run's cost: exactly-once time over plain, or
// plain throughput over exactly-once for the concurrent workloads. The
// samples pair up by run; when the counts differ (a run failed or was
// skipped), the medians' ratio stands for all.
func pairedCosts(eo, plain *Result) []float64 {
	cost := func(e, p Sample) (float64, bool) {
		if e.Seconds <= 0 || p.Seconds <= 0 || e.Ops == 0 {
			return 0, false
		}
		if eo.Concurrent() {
			return (float64(p.Ops) / p.Seconds) / (float64(e.Ops) / e.Seconds), true
		}
		return e.Seconds / p.Seconds, true
	}
	if len(eo.Samples) != len(plain.Samples) {
		m := func(r *Result) Sample {
			return Sample{Seconds: r.Median.Seconds, Ops: int(r.Median.OpsPerSec * r.Median.Seconds)}
		}
		if c, ok := cost(m(eo), m(plain)); ok {
			return []float64{c}
		}
		return nil
	}
	var out []float64
	for i := range eo.Samples {
		if c, ok := cost(eo.Samples[i], plain.Samples[i]); ok {
			out = append(out, c)
		}
	}
	return out
}

// sessionHeading and sessionNote introduce the session-cost table.
const sessionHeading = "Exactly-once sessions: cost"

func sessionNote() string {
	return "The same writes in a client session and without one " +
		"(raw gRPC; sess-pipe: wOnly's INSERTs, " + fmt.Sprint(sessPipeFactor) + "N of them, pipelined on one Session stream, registration included; " +
		"the serving node pre-checks plain writes there, not session writes; " +
		"sess-conc: clients each sending one INSERT at a time with Execute, registered beforehand). " +
		"cost ×: exactly-once time over plain (sess-pipe), plain writes/s over exactly-once (sess-conc), " +
		"the median of each run's ratio (the variants run back to back); per run: their range."
}

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
