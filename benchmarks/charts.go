package main

import (
	"fmt"
	"math"
	"slices"
)

// Chart file names in the output directory.
const (
	chartTime       = "time.svg"
	chartThroughput = "throughput.svg"
	chartLatency    = "latency.svg"
)

// Panel geometry shared by the charts.
const (
	panelW, panelH = 420, 260
	plotL, plotR   = 60, 15 // margins inside a panel
	plotT, plotB   = 30, 45
	perRow         = 3
	legendH        = 70
)

// series is one named line or one bar per category.
type series struct {
	name   string
	color  string
	dashed bool
	y      []float64
}

// panel is one small chart: categories along x, values along y.
type panel struct {
	title string
	unit  string
	x     []string
	ys    []series
	log   bool // a logarithmic y axis, one grid line per decade
}

// page lays panels out in a grid under a title and a legend.
func page(title string, panels []panel, legend []series, bars bool) string {
	rows := (len(panels) + perRow - 1) / perRow
	cols := min(len(panels), perRow)
	s := newSVG(max(cols, 1)*panelW, legendH+rows*panelH)
	s.text(10, 20, "start", 15, title)
	for i, l := range legend {
		x := 10 + float64(i%4)*(panelW*float64(max(cols, 1))/4)
		y := 38 + float64(i/4)*14
		s.line(x, y-4, x+18, y-4, l.color, 4, l.dashed)
		s.text(x+22, y, "start", 11, l.name)
	}
	for i, p := range panels {
		ox, oy := float64(i%perRow*panelW), float64(legendH+i/perRow*panelH)
		drawPanel(s, ox, oy, p, bars)
	}
	return s.String()
}

// drawPanel draws the axes, the y grid and p's data at ox, oy.
func drawPanel(s *svg, ox, oy float64, p panel, bars bool) {
	w, h := float64(panelW-plotL-plotR), float64(panelH-plotT-plotB)
	x0, y0 := ox+plotL, oy+plotT+h // the plot's bottom left
	s.text(ox+panelW/2, oy+18, "middle", 13, p.title)
	yOf := yAxis(s, x0, y0, w, h, p)
	s.text(ox+12, oy+plotT-8, "start", 10, p.unit)
	s.line(x0, y0, x0+w, y0, "black", 1, false)
	slot := w / float64(max(len(p.x), 1))
	for i, c := range p.x {
		s.text(x0+slot*(float64(i)+0.5), y0+14, "middle", 10, c)
	}
	if bars {
		drawBars(s, x0, slot, y0, yOf, p)
		return
	}
	for _, sr := range p.ys {
		var pts [][2]float64
		for i, v := range sr.y {
			if !math.IsNaN(v) {
				pts = append(pts, [2]float64{x0 + slot*(float64(i)+0.5), yOf(v)})
			}
		}
		s.polyline(pts, sr.color, sr.dashed)
	}
}

// drawBars draws one bar per series in each category's slot.
func drawBars(s *svg, x0, slot, y0 float64, yOf func(float64) float64, p panel) {
	bw := slot * 0.8 / float64(max(len(p.ys), 1))
	for i := range p.x {
		for j, sr := range p.ys {
			if i >= len(sr.y) || math.IsNaN(sr.y[i]) {
				continue
			}
			x := x0 + slot*float64(i) + slot*0.1 + bw*float64(j)
			s.rect(x, yOf(sr.y[i]), bw-1, y0-yOf(sr.y[i]), sr.color, fmt.Sprintf("%s: %s %s", sr.name, fmtNum(sr.y[i]), p.unit))
		}
	}
}

// yAxis draws the y grid and labels and returns the mapping from a value
// to its y coordinate.
func yAxis(s *svg, x0, y0, w, h float64, p panel) func(float64) float64 {
	if p.log {
		lo, hi := decades(p.ys)
		for e := lo; e <= hi; e++ {
			y := y0 - h*float64(e-lo)/float64(max(hi-lo, 1))
			s.line(x0, y, x0+w, y, "#e0e0e0", 1, false)
			s.text(x0-4, y+4, "end", 10, fmtNum(math.Pow(10, float64(e))))
		}
		return func(v float64) float64 {
			return y0 - h*(math.Log10(max(v, math.Pow(10, float64(lo))))-float64(lo))/float64(max(hi-lo, 1))
		}
	}
	top := niceCeil(maxY(p.ys))
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := y0 - h*float64(i)/4
		s.line(x0, y, x0+w, y, "#e0e0e0", 1, false)
		s.text(x0-4, y+4, "end", 10, fmtNum(v))
	}
	return func(v float64) float64 { return y0 - h*v/top }
}

// decades returns the powers of ten around the positive values of ys.
func decades(ys []series) (lo, hi int) {
	lo, hi = math.MaxInt, math.MinInt
	for _, s := range ys {
		for _, v := range s.y {
			if v > 0 && !math.IsNaN(v) {
				lo = min(lo, int(math.Floor(math.Log10(v))))
				hi = max(hi, int(math.Ceil(math.Log10(v))))
			}
		}
	}
	if lo > hi {
		return 0, 1
	}
	return lo, max(hi, lo+1)
}

func maxY(ys []series) float64 {
	m := 0.0
	for _, s := range ys {
		for _, v := range s.y {
			if !math.IsNaN(v) {
				m = max(m, v)
			}
		}
	}
	return m
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (1 for v <= 0).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func fmtNum(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.2g", v)
}

// systemsOf lists the systems of the results in first-seen order.
func systemsOf(rs []*Result) []string {
	var out []string
	for _, r := range rs {
		if !slices.Contains(out, r.System) {
			out = append(out, r.System)
		}
	}
	return out
}

// timeChart: one panel per batch workload, a bar per system (median
// seconds).
func timeChart(rep *Report) string {
	var batch []*Result
	var workloads []string
	for _, r := range rep.Results {
		if !r.Concurrent() && !r.isSessionCost() {
			batch = append(batch, r)
			if !slices.Contains(workloads, r.Workload) {
				workloads = append(workloads, r.Workload)
			}
		}
	}
	systems := systemsOf(batch)
	legend := make([]series, len(systems))
	for i, sys := range systems {
		legend[i] = series{name: sys, color: palette(i)}
	}
	var panels []panel
	for _, w := range workloads {
		p := panel{title: w, unit: "seconds", x: []string{""}}
		for i, sys := range systems {
			v := math.NaN()
			if r := rep.find(w, "", 0, sys); r != nil && len(r.Samples) > 0 {
				v = r.Median.Seconds
			}
			p.ys = append(p.ys, series{name: sys, color: palette(i), y: []float64{v}})
		}
		panels = append(panels, p)
	}
	return page("Time per workload (median; lower is better)", panels, legend, true)
}

// concChart: one panel per concurrent kind, x the number of clients, a
// line per system (and per metric) of what pick returns.
func concChart(rep *Report, title, unit string, log bool, metrics []string, pick func(Summary, string) float64) string {
	var conc []*Result
	for _, r := range rep.Results {
		if r.Concurrent() && !r.isSessionCost() {
			conc = append(conc, r)
		}
	}
	systems := systemsOf(conc)
	clients := slices.Clone(rep.Config.Clients)
	x := make([]string, len(clients))
	for i, c := range clients {
		x[i] = fmt.Sprint(c)
	}
	var legend []series
	for i, sys := range systems {
		for j, m := range metrics {
			legend = append(legend, series{name: sys + " " + m, color: palette(i + 2), dashed: j > 0})
		}
	}
	var panels []panel
	for _, kind := range concKinds() {
		p := panel{title: fmt.Sprintf("%s (x: clients)", concWorkload(kind)), unit: unit, x: x, log: log}
		for i, sys := range systems {
			for j, m := range metrics {
				sr := series{name: sys, color: palette(i + 2), dashed: j > 0}
				for _, c := range clients {
					v := math.NaN()
					if r := rep.find(concWorkload(kind), kind, c, sys); r != nil && len(r.Samples) > 0 {
						v = pick(r.Median, m)
					}
					sr.y = append(sr.y, v)
				}
				p.ys = append(p.ys, sr)
			}
		}
		panels = append(panels, p)
	}
	return page(title, panels, legend, false)
}

func throughputChart(rep *Report) string {
	return concChart(rep, "Concurrent clients: throughput (median; higher is better; log scale)", "statements/s", true,
		[]string{""}, func(s Summary, _ string) float64 { return s.OpsPerSec })
}

func latencyChart(rep *Report) string {
	return concChart(rep, "Concurrent clients: latency percentiles (median over runs; p99 solid, p50 dashed; log scale)", "ms", true,
		[]string{"p99", "p50"}, func(s Summary, m string) float64 {
			if m == "p50" {
				return s.P50Ms
			}
			return s.P99Ms
		})
}
