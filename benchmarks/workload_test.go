package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func testSizes() Sizes {
	return Sizes{N: 50, HeavyWrites: 15, HeavyReads: 2, LightWrites: 2, LightReads: 15, Rounds: 3, Pairs: 4, Large: []int{1000, 2_000_000}}
}

func TestWorkloadsDeterministic(t *testing.T) {
	a := BatchWorkloads(7, 1, testSizes())
	b := BatchWorkloads(7, 1, testSizes())
	if !slices.EqualFunc(a, b, sameWorkload) {
		t.Fatal("the same seed generated different SQL")
	}
	c := BatchWorkloads(8, 1, testSizes())
	for i := range a {
		if a[i].Name == "wOnly" && slices.Equal(a[i].Body, c[i].Body) {
			t.Errorf("%s: seeds 7 and 8 generated the same SQL", a[i].Name)
		}
	}
}

func sameWorkload(a, b Workload) bool {
	return a.Name == b.Name && a.Table == b.Table && slices.Equal(a.Setup, b.Setup) &&
		slices.Equal(a.Body, b.Body) && a.Statements == b.Statements && a.Large == b.Large
}

func TestWorkloadShapes(t *testing.T) {
	s := testSizes()
	ws := BatchWorkloads(1, 2, s)
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = w.Name
		if w.Statements != len(w.Body) {
			t.Errorf("%s: Statements %d, body has %d", w.Name, w.Statements, len(w.Body))
		}
		for _, q := range append(slices.Clone(w.Setup), w.Body...) {
			if !strings.Contains(q, w.Table) || !strings.HasSuffix(q, ";") {
				t.Errorf("%s: statement %q does not use table %s or lacks ;", w.Name, q, w.Table)
			}
		}
		if strings.HasSuffix(w.Table, "_2") == w.ReadOnly {
			t.Errorf("%s: table %s (read-only %v): only tables written to are named after the run", w.Name, w.Table, w.ReadOnly)
		}
	}
	want := []string{"wOnly", "rOnly", "wHeavy", "rHeavy", "alternate", "large-1k", "large-2M"}
	if !slices.Equal(names, want) {
		t.Fatalf("workloads %v, want %v", names, want)
	}
	counts := map[string][2]int{ // inserts, selects in the body
		"wOnly":     {s.N, 0},
		"rOnly":     {0, s.N},
		"wHeavy":    {s.Rounds * s.HeavyWrites, s.Rounds * s.HeavyReads},
		"rHeavy":    {s.Rounds * s.LightWrites, s.Rounds * s.LightReads},
		"alternate": {s.Pairs, s.Pairs},
		"large-1k":  {0, 1},
	}
	for _, w := range ws {
		want, ok := counts[w.Name]
		if !ok {
			continue
		}
		if got := [2]int{countPrefix(w.Body, "INSERT"), countPrefix(w.Body, "SELECT")}; got != want {
			t.Errorf("%s: %d inserts and %d selects, want %v", w.Name, got[0], got[1], want)
		}
	}
}

func countPrefix(stmts []string, p string) int {
	n := 0
	for _, s := range stmts {
		if strings.HasPrefix(s, p) {
			n++
		}
	}
	return n
}

// Every point select reads a row the workload wrote or filled before it.
func TestSelectsReadExistingRows(t *testing.T) {
	for _, w := range BatchWorkloads(3, 1, testSizes()) {
		rows := 0
		for _, q := range append(slices.Clone(w.Setup), w.Body...) {
			switch {
			case strings.HasPrefix(q, "INSERT") && strings.Contains(q, "WITH RECURSIVE"):
				rows += fillCount(t, q)
			case strings.HasPrefix(q, "INSERT"):
				rows++
			case strings.Contains(q, "WHERE id = "):
				var id int
				if _, err := fmtSscan(q[strings.Index(q, "WHERE id = ")+len("WHERE id = "):], &id); err != nil || id < 1 || id > rows {
					t.Errorf("%s: %q reads a row outside 1..%d", w.Name, q, rows)
				}
			}
		}
	}
	if w := Alternate(3, "t", testSizes()); w.Body[1] != "SELECT * FROM t WHERE id = 1;" || w.Body[3] != "SELECT * FROM t WHERE id = 2;" {
		t.Errorf("alternate reads %q, %q, want the rows just written", w.Body[1], w.Body[3])
	}
}

func fillCount(t *testing.T, q string) int {
	t.Helper()
	var n int
	i := strings.Index(q, "WHERE x < ")
	if _, err := fmtSscan(q[i+len("WHERE x < "):], &n); err != nil {
		t.Fatalf("fill %q: %v", q, err)
	}
	return n
}

func TestScaledAndLabels(t *testing.T) {
	s := testSizes().Scaled(10)
	if s.N != 500 || s.Pairs != 40 || s.Rounds != 3 || !slices.Equal(s.Large, []int{10_000, 20_000_000}) {
		t.Errorf("Scaled(10) = %+v", s)
	}
	if testSizes().Large[0] != 1000 {
		t.Error("Scaled changed its receiver's Large")
	}
	for n, want := range map[int]string{100_000: "100k", 1_000_000: "1M", 1500: "1500", 20_000: "20k"} {
		if got := countLabel(n); got != want {
			t.Errorf("countLabel(%d) = %q, want %q", n, got, want)
		}
	}
}

// fmtSscan reads the leading integer of s.
func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(strings.TrimRight(s, ";"), n) }
