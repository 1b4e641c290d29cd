package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The scale check (-scale-check K): the issue's target "every workload
// at 10x scale: time grows at most linearly, peak RSS flat". One run of
// the suite measures the batch workloads (and sess-pipe) at the
// configured sizes and at K times them on the same systems, the two
// taking turns each round, and compares each workload's median time and
// peak RSS at the two scales. The workloads that run for a duration (the
// concurrent ones, sess-conc) are left out: their time does not grow with
// a scale.

// Flags of a scale-check row.
const (
	// superLinear: the time grew more than superLinearSlack times the
	// scale factor.
	flagSuperLinear = "super-linear"
	// rssGrows: a node's or the client's peak RSS grew by more than
	// rssFlatMB.
	flagRSSGrows = "RSS grows"

	superLinearSlack = 1.2
	rssFlatMB        = 20
)

// ScaleReport is a scale check: the same workloads at two scales.
type ScaleReport struct {
	Factor int     `json:"factor"`
	Base   *Report `json:"base"`
	Scaled *Report `json:"scaled"`
}

// runScaleCheck runs cfg's batch workloads at cfg's scale and at
// cfg.ScaleCheck times it (with a time budget as many times larger, so
// that both scales get as many runs, and a deadline K+1 times as far).
func runScaleCheck(ctx context.Context, cfg Config, log *slog.Logger) (*ScaleReport, error) {
	k := cfg.ScaleCheck
	scaled := cfg
	scaled.Scale, scaled.Sizes, scaled.Budget = cfg.Scale*k, cfg.Sizes.Scaled(k), cfg.Budget*time.Duration(k)
	// The rounds do the base's work and K times it.
	cfg.Deadline *= time.Duration(k + 1)
	legs := []leg{
		{cfg: cfg, noConc: true},
		{cfg: scaled, prefix: fmt.Sprintf("%dx", scaled.Scale), noConc: true},
	}
	reps, err := runLegs(ctx, log, legs)
	if err != nil {
		return nil, err
	}
	return &ScaleReport{Factor: k, Base: reps[0], Scaled: reps[1]}, nil
}

// scaleHeader are the columns of the scale-check table.
func scaleHeader(k int) []string {
	x := fmt.Sprintf("×%d", k)
	return []string{"workload", "system", "time ×1", "time " + x, "growth/" + fmt.Sprint(k),
		"node MB ×1", "node MB " + x, "node +MB ×1", "node +MB " + x, "client MB ×1", "client MB " + x, "client ΔMB", "flag"}
}

// scaleRows pairs each batch result of the scaled run with the base
// run's result of the same workload (the i-th workload of one with the
// i-th of the other: a large read's name carries its size) and system.
// growth/K is the time's growth over the scale factor: 1 is linear.
func scaleRows(sr *ScaleReport) [][]string {
	baseNames, scaledNames := batchNames(sr.Base), batchNames(sr.Scaled)
	var rows [][]string
	for _, r := range sr.Scaled.Results {
		i := slices.Index(scaledNames, r.Workload)
		if i < 0 || i >= len(baseNames) {
			continue
		}
		b := sr.Base.find(baseNames[i], r.Kind, r.Clients, r.System)
		if b == nil {
			continue
		}
		rows = append(rows, scaleRow(b, r, sr.Factor))
	}
	return rows
}

// batchNames lists rep's workloads that do not run for a duration, in
// the order they ran.
func batchNames(rep *Report) []string {
	var out []string
	for _, r := range rep.Results {
		if !r.Concurrent() && !slices.Contains(out, r.Workload) {
			out = append(out, r.Workload)
		}
	}
	return out
}

func scaleRow(b, s *Result, k int) []string {
	name := s.Workload
	if b.Workload != s.Workload {
		name = b.Workload + " → " + s.Workload
	}
	bm, sm := b.Median, s.Median
	row := []string{name, s.System, "-", "-", "", mb(bm.NodeRSSKB), mb(sm.NodeRSSKB), growthMB(bm), growthMB(sm),
		mb(bm.ClientRSSKB), mb(sm.ClientRSSKB), "", ""}
	const flag = 12
	if len(b.Samples) == 0 || len(s.Samples) == 0 {
		row[flag] = "failed: " + joinNotes(s.Err, b.Err)
		return row
	}
	row[2], row[3] = fmt.Sprintf("%.3f s", bm.Seconds), fmt.Sprintf("%.3f s", sm.Seconds)
	var flags []string
	if bm.Seconds > 0 {
		g := sm.Seconds / bm.Seconds / float64(k)
		row[4] = ratio(g)
		if g > superLinearSlack {
			flags = append(flags, flagSuperLinear)
		}
	}
	dClient := sm.ClientRSSKB - bm.ClientRSSKB
	if bm.ClientRSSKB > 0 && sm.ClientRSSKB > 0 {
		row[11] = fmt.Sprintf("%+.1f", float64(dClient)/1024)
	}
	if max(sm.NodeGrowthKB-bm.NodeGrowthKB, dClient) > rssFlatMB*1024 {
		flags = append(flags, flagRSSGrows)
	}
	row[flag] = joinNotes(append(flags, labelled(fmt.Sprintf("×%d: ", k), s.note()), labelled("×1: ", b.note()))...)
	return row
}

// labelled is note after label, or "" for no note.
func labelled(label, note string) string {
	if note == "" {
		return ""
	}
	return label + note
}

// growthMB is the largest node's RSS growth during the run, in MB, or ""
// for a system without nodes.
func growthMB(m Summary) string {
	if m.NodeRSSKB == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", float64(m.NodeGrowthKB)/1024)
}

// scaleIntro explains the scale-check table.
func scaleIntro(sr *ScaleReport) string {
	return fmt.Sprintf("Scale check: every batch workload at scale %d and %d (×%d), the two taking turns each round on the same systems; "+
		"%s. growth/%d: the time's growth over %d (1.00 is linear; %q above %.1f). "+
		"node MB: the largest node's peak RSS during the run; node +MB: the largest rise of a node's RSS during the run over its RSS when the run started "+
		"(nodes keep memory between runs, so their peak says less); client MB: the client process's peak RSS (the sqlite3 CLI, the resqlite client; "+
		"sess-pipe's client is this program, not measured); ΔMB: ×%d's minus ×1's. %q: node +MB or the client's peak grew by more than %d MB. "+
		"The concurrent workloads and sess-conc run for a fixed duration and are left out.",
		sr.Base.Config.Scale, sr.Scaled.Config.Scale, sr.Factor, runsNote(sr.Base), sr.Factor, sr.Factor,
		flagSuperLinear, superLinearSlack, sr.Factor, flagRSSGrows, rssFlatMB)
}

// writeScaleOutputs writes scaleK.json and scaleK.md into dir.
func writeScaleOutputs(dir string, sr *ScaleReport) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output dir: %w", err)
	}
	name := fmt.Sprintf("scale%d", sr.Factor)
	if err := writeFile(filepath.Join(dir, name+".json"), sr.writeJSON); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, name+".md"), sr.writeMarkdown)
}

func (sr *ScaleReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sr); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// writeMarkdown writes the comparison, then both runs' tables.
func (sr *ScaleReport) writeMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "# ReSqlite scale check (×%d)\n\n%s\n\n%s\n\n", sr.Factor, runLine(sr.Scaled), scaleIntro(sr))
	if err := writeMarkdownTable(w, scaleHeader(sr.Factor), scaleRows(sr)); err != nil {
		return err
	}
	for _, rep := range []*Report{sr.Base, sr.Scaled} {
		fmt.Fprintf(w, "\n## Scale %d\n\n%s\n\n", rep.Config.Scale, sizesLine(rep.Config))
		if err := writeMarkdownTable(w, tableHeader(), tableRows(rep)); err != nil {
			return err
		}
		if err := writeSessionTable(w, rep, writeMarkdownTable, "### "+sessionHeading); err != nil {
			return err
		}
	}
	return nil
}

// writeScaleTable prints the comparison.
func writeScaleTable(w io.Writer, sr *ScaleReport) error {
	if _, err := fmt.Fprintf(w, "%s\n\n", scaleIntro(sr)); err != nil {
		return fmt.Errorf("write scale table: %w", err)
	}
	return writeTable(w, scaleHeader(sr.Factor), scaleRows(sr))
}
