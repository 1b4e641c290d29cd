package main

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// svg builds a small SVG document from rectangles, lines and text.
type svg struct {
	b strings.Builder
}

func newSVG(width, height int) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&s.b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	return s
}

func (s *svg) rect(x, y, w, h float64, fill, title string) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`+"\n",
		x, y, w, h, fill, escape(title))
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string, width float64, dashed bool) {
	dash := ""
	if dashed {
		dash = ` stroke-dasharray="5,3"`
	}
	fmt.Fprintf(&s.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"%s/>`+"\n",
		x1, y1, x2, y2, stroke, width, dash)
}

// polyline draws a line through pts with a dot at each.
func (s *svg) polyline(pts [][2]float64, stroke string, dashed bool) {
	for i := 1; i < len(pts); i++ {
		s.line(pts[i-1][0], pts[i-1][1], pts[i][0], pts[i][1], stroke, 2, dashed)
	}
	for _, p := range pts {
		fmt.Fprintf(&s.b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", p[0], p[1], stroke)
	}
}

// text writes txt at x, y; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor string, size int, txt string) {
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s" font-size="%d">%s</text>`+"\n",
		x, y, anchor, size, escape(txt))
}

// String closes the document and returns it.
func (s *svg) String() string { return s.b.String() + "</svg>\n" }

func escape(t string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(t))
	return b.String()
}

// palette gives each system its colour, the same in every chart.
func palette(i int) string {
	colors := []string{"#9e9e9e", "#616161", "#212121", "#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd"}
	return colors[i%len(colors)]
}
