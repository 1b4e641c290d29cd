package repl

import (
	"bufio"
	"strings"
)

// htmlEscaper is the CLI's output_html_string: < & > " ' as entities.
var htmlEscaper = strings.NewReplacer("<", "&lt;", "&", "&amp;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// printHTML prints r in html mode, as the CLI's MODE_Html: a <TR> of <TH>
// names first when headers are on, then a <TR> of <TD> values per row,
// each cell on its own line.
func printHTML(w *bufio.Writer, s *outputSettings, r *Result) {
	r.fill(1)
	if len(r.Rows) == 0 {
		return
	}
	if s.headers {
		w.WriteString("<TR>")
		for _, c := range r.Columns {
			w.WriteString("<TH>")
			htmlEscaper.WriteString(w, cString(c))
			w.WriteString("</TH>\n")
		}
		w.WriteString("</TR>\n")
	}
	r.eachRow(func(_ int, row []Value) {
		w.WriteString("<TR>")
		for _, v := range row {
			text, ok := cellText(v)
			if !ok {
				text = s.nullValue
			}
			w.WriteString("<TD>")
			htmlEscaper.WriteString(w, text)
			w.WriteString("</TD>\n")
		}
		w.WriteString("</TR>\n")
	})
}
