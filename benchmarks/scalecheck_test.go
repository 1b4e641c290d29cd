package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// scaleFixture is a scale check by 10 of wOnly and a large read on two
// systems: the resqlite one grows super-linearly on wOnly and its node
// and client grow by 30 MB on the large read.
func scaleFixture() *ScaleReport {
	mk := func(scale int, large string) *Report {
		rep := &Report{}
		rep.Config.Scale, rep.Config.Runs = scale, 1
		add := func(w, sys string, s Sample) {
			r := rep.result(w, "", 0, sys)
			r.Samples = append(r.Samples, s)
			r.summarize()
		}
		k := float64(scale)
		add("wOnly", sysMem, Sample{Seconds: 0.01 * k, ClientRSSKB: 4096})
		add("wOnly", sysLeader, Sample{Seconds: 0.1 * k * k, ClientRSSKB: 20 << 10, NodeRSSKB: []int64{60 << 10}, NodeGrowthKB: []int64{2048}})
		add(large, sysMem, Sample{Seconds: 0.02 * k, ClientRSSKB: 8 << 10})
		add(large, sysLeader, Sample{Seconds: 0.2 * k, ClientRSSKB: int64(30*scale) << 10, NodeRSSKB: []int64{70 << 10}, NodeGrowthKB: []int64{int64(3*scale) << 10}})
		rep.result("conc-write", kindWrite, 8, sysLeader).Samples = []Sample{{Seconds: 1, Ops: 10}}
		return rep
	}
	return &ScaleReport{Factor: 10, Base: mk(1, "large-1k"), Scaled: mk(10, "large-10k")}
}

func TestScaleRows(t *testing.T) {
	rows := scaleRows(scaleFixture())
	h := scaleHeader(10)
	col := func(row []string, name string) string { return row[slices.Index(h, name)] }
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4 (no concurrent one): %q", len(rows), rows)
	}
	byKey := map[string][]string{}
	for _, r := range rows {
		byKey[r[0]+"/"+r[1]] = r
	}
	if r := byKey["wOnly/"+sysMem]; col(r, "growth/10") != "1.00" || col(r, "flag") != "" || col(r, "client ΔMB") != "+0.0" {
		t.Errorf("linear row %q", r)
	}
	if r := byKey["wOnly/"+sysLeader]; col(r, "growth/10") != "10.00" || col(r, "flag") != flagSuperLinear {
		t.Errorf("super-linear row %q", r)
	}
	r := byKey["large-1k → large-10k/"+sysLeader]
	if col(r, "node +MB ×1") != "3.0" || col(r, "node +MB ×10") != "30.0" || col(r, "client ΔMB") != "+270.0" || col(r, "flag") != flagRSSGrows {
		t.Errorf("growing RSS row %q", r)
	}
	var md bytes.Buffer
	if err := scaleFixture().writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# ReSqlite scale check (×10)", "## Scale 1", "## Scale 10", "| large-1k → large-10k | " + sysLeader} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
}
