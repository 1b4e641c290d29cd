package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeReport has two batch workloads on four systems and one concurrent
// workload at two levels on two systems, one result failed.
func fakeReport() *Report {
	rep := &Report{Started: time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC), Machine: Machine{CPUs: 2}}
	rep.Config.Clients = []int{1, 8}
	rep.Config.Runs = 1
	add := func(w, kind string, c int, sys string, s Sample) {
		r := rep.result(w, kind, c, sys)
		r.Samples = append(r.Samples, s)
		r.summarize()
	}
	for i, sys := range []string{sysMem, sysFile, sysWAL, sysLeader} {
		add("wOnly", "", 0, sys, Sample{Seconds: float64(i + 1), Ops: 100, ClientRSSKB: 2048})
		add("rOnly", "", 0, sys, Sample{Seconds: 0.5 * float64(i+1), Ops: 100})
	}
	rep.find("rOnly", "", 0, sysLeader).Samples[0].NodeRSSKB = []int64{1024, 3072}
	rep.find("rOnly", "", 0, sysLeader).Samples[0].NodeGrowthKB = []int64{512, 0}
	rep.find("rOnly", "", 0, sysLeader).summarize()
	for _, c := range []int{8, 1} {
		add("conc-write", kindWrite, c, sysInProc, Sample{Seconds: 1, Ops: 1000 * c, P50Ms: 1, P99Ms: 2})
		add("conc-write", kindWrite, c, sysLeader, Sample{Seconds: 1, Ops: 500 * c, P50Ms: 2, P99Ms: 4})
	}
	rep.result("large-1M", "", 0, sysFollower).Err = "boom | failed"
	add(wlSessPipe, "", 0, sysLeader+", "+variantEO, Sample{Seconds: 3, Ops: 100})
	add(wlSessPipe, "", 0, sysLeader+", "+variantPlain, Sample{Seconds: 2, Ops: 100})
	add(wlSessConc, kindWrite, 8, sysLeader+", "+variantPlain, Sample{Seconds: 1, Ops: 900, P50Ms: 1, P99Ms: 3})
	add(wlSessConc, kindWrite, 8, sysLeader+", "+variantEO, Sample{Seconds: 1, Ops: 600, P50Ms: 2, P99Ms: 5})
	return rep
}

// The session-cost results are left out of the main table and charts and
// paired in their own table: exactly-once against plain.
func TestSessionRows(t *testing.T) {
	rep := fakeReport()
	rows := sessionRows(rep)
	want := [][]string{
		{wlSessPipe, sysLeader, "3.000 s", "2.000 s", "1.50", "1.50–1.50", "", "", "", "", ""},
		{wlSessConc + " ×8", sysLeader, "600/s", "900/s", "1.50", "1.50–1.50", "2.00", "1.00", "5.00", "3.00", ""},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("session rows\n%q\nwant\n%q", rows, want)
	}
	for _, r := range tableRows(rep) {
		if strings.HasPrefix(r[0], "sess-") {
			t.Errorf("main table has session-cost row %q", r)
		}
	}
	for _, svg := range []string{timeChart(rep), throughputChart(rep)} {
		if strings.Contains(svg, variantEO) {
			t.Error("a chart shows a session-cost system")
		}
	}
	var md bytes.Buffer
	if err := writeMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "## "+sessionHeading) || !strings.Contains(md.String(), "| sess-conc ×8 | "+sysLeader+" | 600/s | 900/s | 1.50 | 1.50–1.50 |") {
		t.Errorf("Markdown lacks the session table:\n%s", md.String())
	}
}

func TestTableRows(t *testing.T) {
	rows := tableRows(fakeReport())
	if len(rows) != 13 {
		t.Fatalf("%d rows, want 13", len(rows))
	}
	h := tableHeader()
	col := func(row []string, name string) string { return row[slices.Index(h, name)] }
	byKey := map[string][]string{}
	for _, r := range rows {
		byKey[r[0]+"/"+r[1]] = r
	}
	wal := byKey["wOnly/"+sysWAL]
	if col(wal, "×mem") != "3.00" || col(wal, "×file") != "1.50" || col(wal, "×wal") != "1.00" || col(wal, "time") != "3.000 s" {
		t.Errorf("wOnly WAL row %q", wal)
	}
	if got := col(byKey["rOnly/"+sysLeader], "node RSS MB"); got != "3.0" {
		t.Errorf("node RSS %q, want the largest node's 3.0", got)
	}
	if got := col(byKey["rOnly/"+sysLeader], "node +MB"); got != "0.5" {
		t.Errorf("node growth %q, want the largest node's 0.5", got)
	}
	c := byKey["conc-write ×8/"+sysLeader]
	if col(c, "×inproc") != "2.00" || col(c, "ops/s") != "4000" || col(c, "p99 ms") != "4.00" || col(c, "×mem") != "" {
		t.Errorf("concurrent row %q", c)
	}
	failed := byKey["large-1M/"+sysFollower]
	if col(failed, "time") != "-" || col(failed, "note") != "boom | failed" {
		t.Errorf("failed row %q", failed)
	}
	var order []string
	for _, r := range rows {
		order = append(order, r[0])
	}
	if i, j := slices.Index(order, "conc-write ×1"), slices.Index(order, "conc-write ×8"); i < 0 || j < i || i < 9 {
		t.Errorf("rows in order %q: batch first, then concurrent by clients", order)
	}
}

func TestWriteTableAligns(t *testing.T) {
	var b bytes.Buffer
	if err := writeTable(&b, []string{"name", "system", "n", "note"}, [][]string{{"a", "x", "1", ""}, {"bbb", "yy", "100", "hi"}}); err != nil {
		t.Fatal(err)
	}
	want := "name  system    n  note\n" +
		"a     x         1\n" +
		"bbb   yy      100  hi\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := writeMarkdown(&b, fakeReport()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	main, _, _ := strings.Cut(md, "## "+sessionHeading) // the main table only
	lines := strings.Split(main, "\n")
	var table []string
	for _, l := range lines {
		if strings.HasPrefix(l, "|") {
			table = append(table, l)
		}
	}
	if len(table) != 15 { // header, separator, 13 rows
		t.Fatalf("%d table lines, want 15:\n%s", len(table), md)
	}
	cells := len(tableHeader())
	for _, l := range table {
		if n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"); n != cells+1 {
			t.Errorf("line %q has %d separators, want %d", l, n, cells+1)
		}
	}
	for _, want := range []string{`boom \| failed`, "(" + chartTime + ")", "(" + chartThroughput + ")", "(" + chartLatency + ")", "2026-12-07 16:00 UTC"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rep := fakeReport()
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != len(rep.Results) {
		t.Fatalf("%d results back, want %d", len(back.Results), len(rep.Results))
	}
	got := back.find("conc-write", kindWrite, 8, sysLeader)
	if got == nil || got.Median != rep.find("conc-write", kindWrite, 8, sysLeader).Median || len(got.Samples) != 1 {
		t.Errorf("concurrent result back: %+v", got)
	}
	if f := back.find("large-1M", "", 0, sysFollower); f == nil || f.Err != "boom | failed" {
		t.Errorf("failed result back: %+v", f)
	}
}

// wellFormed parses doc as XML and returns the elements it holds.
func wellFormed(t *testing.T, doc string) map[string]int {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	elems := map[string]int{}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return elems
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
		if se, ok := tok.(xml.StartElement); ok {
			elems[se.Name.Local]++
		}
	}
}

func TestSVGWriterEscapes(t *testing.T) {
	s := newSVG(100, 50)
	s.text(1, 2, "start", 10, `a < b & "c" > d`)
	s.rect(0, 0, 5, 5, "red", "x<y")
	s.polyline([][2]float64{{0, 0}, {1, 1}, {2, 0}}, "blue", true)
	el := wellFormed(t, s.String())
	if el["svg"] != 1 || el["text"] != 1 || el["line"] != 2 || el["circle"] != 3 || el["rect"] != 2 {
		t.Errorf("elements %v", el)
	}
}

func TestChartsWellFormed(t *testing.T) {
	rep := fakeReport()
	tc := wellFormed(t, timeChart(rep))
	// wOnly and rOnly on 4 systems; large-1M only failed: 8 bars, plus
	// the background.
	if tc["rect"] != 1+8 {
		t.Errorf("time chart has %d rects, want 9", tc["rect"])
	}
	th := wellFormed(t, throughputChart(rep))
	// conc-write: 2 systems × 2 clients dots; the other kinds are empty.
	if th["circle"] != 4 {
		t.Errorf("throughput chart has %d dots, want 4", th["circle"])
	}
	lat := wellFormed(t, latencyChart(rep))
	if lat["circle"] != 8 {
		t.Errorf("latency chart has %d dots, want 8 (p50 and p99)", lat["circle"])
	}
}

func TestNiceCeil(t *testing.T) {
	for v, want := range map[float64]float64{0: 1, 0.3: 0.5, 1: 1, 1.2: 2, 4: 5, 7: 10, 130: 200, 20000: 20000} {
		if got := niceCeil(v); got < want*0.999999 || got > want*1.000001 {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
}

func TestDecades(t *testing.T) {
	lo, hi := decades([]series{{y: []float64{0.013, 250, math.NaN(), 0}}})
	if lo != -2 || hi != 3 {
		t.Errorf("decades of 0.013..250 = %d..%d, want -2..3", lo, hi)
	}
	if lo, hi := decades(nil); lo != 0 || hi != 1 {
		t.Errorf("decades of nothing = %d..%d, want 0..1", lo, hi)
	}
}

// -render reads a results.json and writes the same outputs again.
func TestRenderFromJSON(t *testing.T) {
	dir := t.TempDir()
	if err := writeOutputs(dir, fakeReport()); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-render", dir + "/results.json", "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, f := range []string{"results.json", "results.md", chartTime, chartThroughput, chartLatency} {
		a, errA := os.ReadFile(dir + "/" + f)
		b, errB := os.ReadFile(out + "/" + f)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs after -render (%v, %v)", f, errA, errB)
		}
	}
	if !strings.Contains(stdout.String(), "conc-write ×8") {
		t.Errorf("table:\n%s", stdout.String())
	}
}

// The cost is the median of each run's ratio, the variants' samples
// paired by run; with unequal counts, the medians' ratio.
func TestPairedCosts(t *testing.T) {
	eo := &Result{Workload: wlSessPipe, Samples: []Sample{{Seconds: 3, Ops: 10}, {Seconds: 1, Ops: 10}, {Seconds: 4, Ops: 10}}}
	plain := &Result{Workload: wlSessPipe, Samples: []Sample{{Seconds: 2, Ops: 10}, {Seconds: 2, Ops: 10}, {Seconds: 2, Ops: 10}}}
	if got := pairedCosts(eo, plain); !slices.Equal(got, []float64{1.5, 0.5, 2}) {
		t.Errorf("paired costs %v, want [1.5 0.5 2]", got)
	}
	row := sessionRow(eo, plain, sysOne)
	if row[4] != "1.50" || row[5] != "0.50–2.00" {
		t.Errorf("row %q: cost 1.50 over runs 0.50–2.00", row)
	}
	plain.Samples = plain.Samples[:2]
	eo.summarize()
	plain.summarize()
	if got := pairedCosts(eo, plain); !slices.Equal(got, []float64{1.5}) {
		t.Errorf("unpaired costs %v, want the medians' ratio [1.5]", got)
	}
	conc := &Result{Workload: wlSessConc, Clients: 8, Samples: []Sample{{Seconds: 1, Ops: 500}}}
	concPlain := &Result{Workload: wlSessConc, Clients: 8, Samples: []Sample{{Seconds: 0.5, Ops: 500}}}
	if got := pairedCosts(conc, concPlain); !slices.Equal(got, []float64{2}) {
		t.Errorf("concurrent cost %v, want plain's 1000/s over 500/s", got)
	}
}

// A result whose runs took the budget takes no more, and its note says
// how many runs its median is of.
func TestBudget(t *testing.T) {
	s := &suite{cfg: Config{Budget: time.Second}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), rep: &Report{}}
	r := s.rep.result("wOnly", "", 0, sysFile)
	r.Samples = []Sample{{Seconds: 0.6}}
	if s.overBudget(r) || r.note() != "" {
		t.Fatalf("0.6 s of a 1 s budget: over budget, note %q", r.note())
	}
	r.Samples = append(r.Samples, Sample{Seconds: 0.6})
	if !s.overBudget(r) || !s.overBudget(r) || r.Skipped != 2 {
		t.Fatalf("1.2 s of a 1 s budget: not over budget, or %d skipped, want 2", r.Skipped)
	}
	r.Err = "boom"
	if got, want := r.note(), "boom; median of 2 runs (-budget)"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}
