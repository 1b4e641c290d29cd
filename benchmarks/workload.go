package main

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

// Workload is one batch workload: SQL text that every system runs the
// same way. Setup is run first and not timed (it creates and fills the
// tables the timed part reads); Body is timed.
type Workload struct {
	Name  string
	Table string
	Setup []string
	Body  []string
	// Statements is the number of statements in Body (for throughput).
	Statements int
	// Large marks a large-result read: its output goes to /dev/null and
	// is not compared across systems.
	Large bool
	// ReadOnly marks a body that changes nothing: its table is named
	// without the run and set up once for all runs.
	ReadOnly bool
}

// Sizes are the counts the workloads are generated with.
type Sizes struct {
	N           int   // wOnly inserts and rOnly point selects
	HeavyWrites int   // wHeavy: writes per round
	HeavyReads  int   // wHeavy: reads per round
	LightWrites int   // rHeavy: writes per round
	LightReads  int   // rHeavy: reads per round
	Rounds      int   // rounds of wHeavy and rHeavy
	Pairs       int   // alternating INSERT/SELECT pairs
	Large       []int // rows of the large-result reads
}

// Scaled returns s with every count multiplied by k (rounds excepted).
func (s Sizes) Scaled(k int) Sizes {
	s.N *= k
	s.HeavyWrites *= k
	s.HeavyReads *= k
	s.LightWrites *= k
	s.LightReads *= k
	s.Pairs *= k
	large := make([]int, len(s.Large))
	for i, n := range s.Large {
		large[i] = n * k
	}
	s.Large = large
	return s
}

// gen generates one workload's statements from a seeded source, so the
// same seed, workload and table give the same SQL.
type gen struct {
	rng   *rand.Rand
	table string
	rows  int // rows the table holds so far (ids 1..rows)
}

func newGen(seed uint64, workload, table string) *gen {
	h := fnv.New64a()
	h.Write([]byte(workload))
	return &gen{rng: rand.New(rand.NewPCG(seed, h.Sum64())), table: table}
}

func (g *gen) create() string {
	return fmt.Sprintf("CREATE TABLE %s(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL);", g.table)
}

// fill inserts n rows in one statement (setup only).
func (g *gen) fill(n int) string {
	g.rows += n
	return fmt.Sprintf("INSERT INTO %s(id, name, qty, price) WITH RECURSIVE c(x) AS "+
		"(SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < %d) "+
		"SELECT x, 'item-' || x, x * 7919 %% 1000, (x %% 1000) + 0.25 FROM c;", g.table, n)
}

func (g *gen) insert() string {
	g.rows++
	return fmt.Sprintf("INSERT INTO %s(name, qty, price) VALUES('item-%d', %d, %d.%02d);",
		g.table, g.rng.IntN(1_000_000), g.rng.IntN(1000), g.rng.IntN(10_000), g.rng.IntN(100))
}

func (g *gen) pointSelect(id int) string {
	return fmt.Sprintf("SELECT * FROM %s WHERE id = %d;", g.table, id)
}

func (g *gen) randomSelect() string {
	return g.pointSelect(1 + g.rng.IntN(max(g.rows, 1)))
}

func (g *gen) inserts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.insert()
	}
	return out
}

func (g *gen) selects(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.randomSelect()
	}
	return out
}

// WOnly: create the table and insert N rows, one statement each.
func WOnly(seed uint64, table string, s Sizes) Workload {
	g := newGen(seed, "wOnly", table)
	body := append([]string{g.create()}, g.inserts(s.N)...)
	return Workload{Name: "wOnly", Table: table, Body: body, Statements: len(body)}
}

// ROnly: N point selects on a table of N rows.
func ROnly(seed uint64, table string, s Sizes) Workload {
	g := newGen(seed, "rOnly", table)
	setup := []string{g.create(), g.fill(s.N)}
	body := g.selects(s.N)
	return Workload{Name: "rOnly", Table: table, Setup: setup, Body: body, Statements: len(body), ReadOnly: true}
}

// mixed runs rounds of writes followed by reads of the rows written.
func mixed(seed uint64, name, table string, rounds, writes, reads int) Workload {
	g := newGen(seed, name, table)
	var body []string
	for range rounds {
		body = append(body, g.inserts(writes)...)
		body = append(body, g.selects(reads)...)
	}
	return Workload{Name: name, Table: table, Setup: []string{g.create()}, Body: body, Statements: len(body)}
}

// WHeavy: HeavyWrites writes then HeavyReads reads, Rounds times.
func WHeavy(seed uint64, table string, s Sizes) Workload {
	return mixed(seed, "wHeavy", table, s.Rounds, s.HeavyWrites, s.HeavyReads)
}

// RHeavy: LightWrites writes then LightReads reads, Rounds times.
func RHeavy(seed uint64, table string, s Sizes) Workload {
	return mixed(seed, "rHeavy", table, s.Rounds, s.LightWrites, s.LightReads)
}

// Alternate: Pairs of an INSERT followed by a SELECT of the row it wrote.
func Alternate(seed uint64, table string, s Sizes) Workload {
	g := newGen(seed, "alternate", table)
	body := make([]string, 0, 2*s.Pairs)
	for range s.Pairs {
		body = append(body, g.insert(), g.pointSelect(g.rows))
	}
	return Workload{Name: "alternate", Table: table, Setup: []string{g.create()}, Body: body, Statements: len(body)}
}

// LargeRead: one SELECT of every row of a table of rows rows.
func LargeRead(table string, rows int) Workload {
	g := newGen(0, "large", table)
	setup := []string{g.create(), g.fill(rows)}
	return Workload{
		Name:  fmt.Sprintf("large-%s", countLabel(rows)),
		Table: table, Setup: setup, Body: []string{fmt.Sprintf("SELECT * FROM %s;", table)},
		Statements: 1, Large: true, ReadOnly: true,
	}
}

// countLabel writes 100000 as 100k and 1000000 as 1M.
func countLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// BatchWorkloads generates every batch workload of one run; the tables
// written to are named after the workload and run so runs never share
// one, the read-only ones after the workload only (set up once).
func BatchWorkloads(seed uint64, run int, s Sizes) []Workload {
	return batchWorkloadsIn("", seed, run, s)
}

// batchWorkloadsIn is BatchWorkloads with prefix in the tables' names
// after their "b", so that workloads of other sizes (the scale check) use
// other tables.
func batchWorkloadsIn(prefix string, seed uint64, run int, s Sizes) []Workload {
	table := func(name string) string { return fmt.Sprintf("b%s_%s_%d", prefix, name, run) }
	shared := func(name string) string { return "b" + prefix + "_" + name }
	ws := []Workload{
		WOnly(seed, table("wonly"), s),
		ROnly(seed, shared("ronly"), s),
		WHeavy(seed, table("wheavy"), s),
		RHeavy(seed, table("rheavy"), s),
		Alternate(seed, table("alt"), s),
	}
	for _, n := range s.Large {
		ws = append(ws, LargeRead(shared("large_"+countLabel(n)), n))
	}
	return ws
}
