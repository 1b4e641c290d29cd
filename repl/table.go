package repl

import (
	"bufio"
	"encoding/hex"
	"strconv"
	"strings"
)

// The table modes (table, box, column, markdown) are drawn as the sqlite3
// CLI 3.40's exec_prepared_stmt_columnar draws them: every value is cut
// into display lines (translateForDisplay), the widest line of each
// column sets its width, and the lines are laid out in the mode's frame.
// Widths count UTF-8 characters, as the CLI's strlenChar does.

// Box-drawing characters, named as the CLI names them: by the lines that
// leave the centre (1 up, 2 right, 3 down, 4 left).
const (
	box24   = "─"
	box13   = "│"
	box23   = "┌"
	box34   = "┐"
	box12   = "└"
	box14   = "┘"
	box123  = "├"
	box134  = "┤"
	box234  = "┬"
	box124  = "┴"
	box1234 = "┼"
)

// tableCellText is a value as the table modes show it before it is cut
// into lines: with --quote an SQL literal, else the value's text as list
// mode prints it (a blob's bytes up to a NUL, NULL as .nullvalue).
func tableCellText(s *outputSettings, v Value) string {
	if s.columns.quote {
		return quotedCell(v)
	}
	text, ok := cellText(v)
	if !ok {
		return s.nullValue
	}
	return text
}

// quotedCell is the CLI's quoted_column: NULL, numbers as their text,
// text as a quoted SQL string (up to a NUL), blobs as x'…'.
func quotedCell(v Value) string {
	switch v.Kind {
	case KindNull:
		return "NULL"
	case KindText:
		return "'" + strings.ReplaceAll(cString(v.Text), "'", "''") + "'"
	case KindBlob:
		return "x'" + hex.EncodeToString(v.Bytes) + "'"
	}
	text, _ := cellText(v)
	return text
}

// columnar is one result laid out for the table modes: its cells cut into
// display lines, one grid row per line, and the width of each column.
type columnar struct {
	header []string
	rows   [][]string // display lines: one per grid row
	// lastLine[i] is true when rows[i] ends a result row (a separator may
	// follow it when some result row spans several lines).
	lastLine  []bool
	multiLine bool
	widths    []int // actual widths, in characters
	signs     []int // -1 for a column .width made right-aligned
	wrap      []int // the width each column's values are cut at
	wordWrap  bool
	// frame is the mode's line start, column and row separators.
	lineStart, colSep, rowSep string
}

// layoutColumnar cuts r's header and values into lines and measures them.
func layoutColumnar(s *outputSettings, r *Result) *columnar {
	n := len(r.Columns)
	wrap := make([]int, n)
	c := &columnar{header: make([]string, n), widths: make([]int, n), signs: make([]int, n), wrap: wrap, wordWrap: s.columns.wordWrap}
	for i := range r.Columns {
		w := 0
		if i < len(s.columns.widths) {
			w = s.columns.widths[i]
		}
		c.signs[i] = 1
		if w < 0 {
			c.signs[i], w = -1, -w
		}
		c.widths[i] = w
		wrap[i] = w
		if wrap[i] == 0 {
			wrap[i] = abs(s.columns.wrap)
		}
		c.header[i], _, _ = translateForDisplay(r.Columns[i], wrap[i], s.columns.wordWrap)
	}
	for _, row := range r.Rows {
		c.addValues(s, row)
	}
	for _, line := range append([][]string{c.header}, c.rows...) {
		for i, text := range line {
			c.widths[i] = max(c.widths[i], strlenChar(text))
		}
	}
	return c
}

// addValues adds one result row of values (addRow).
func (c *columnar) addValues(s *outputSettings, row []Value) {
	cells := make([]string, len(row))
	for i, v := range row {
		cells[i] = tableCellText(s, v)
	}
	c.addRow(cells, c.wrap, c.wordWrap)
}

// addRow adds one result row: as many grid rows as its tallest cell has
// lines.
func (c *columnar) addRow(cells []string, wrap []int, wordWrap bool) {
	rest := cells
	more := true
	for more {
		more = false
		line := make([]string, len(cells))
		next := make([]string, len(cells))
		for i := range cells {
			var ok bool
			line[i], next[i], ok = translateForDisplay(rest[i], wrap[i], wordWrap)
			more = more || ok
		}
		c.rows = append(c.rows, line)
		c.lastLine = append(c.lastLine, !more)
		c.multiLine = c.multiLine || more
		rest = next
	}
}

// translateForDisplay is the CLI's translateForDisplayAndDup: the first
// display line of z, at most width characters (0: no limit), TABs
// expanded to the next multiple of 8, cut at any other control character
// (which is dropped); with wordWrap a long line breaks at a space or a
// word boundary in its second half. It returns the line, the text left
// for the next line, and whether there is a next line.
func translateForDisplay(z string, width int, wordWrap bool) (line, tail string, more bool) {
	at := func(i int) byte {
		if i < len(z) {
			return z[i]
		}
		return 0
	}
	if width == 0 {
		width = 1000000
	}
	i, n := 0, 0
	for n < width {
		switch c := at(i); {
		case c >= ' ':
			n++
			for i++; at(i)&0xc0 == 0x80; i++ {
			}
			continue
		case c == '\t':
			for n++; n&7 != 0 && n < width; n++ {
			}
			i++
			continue
		}
		break
	}
	k := i
	if n >= width && wordWrap {
		if b, ok := wordBreak(i, at); ok {
			for k, i = b, b; at(i) == ' '; i++ {
			}
		}
	}
	switch {
	case n >= width && at(i) >= ' ':
		tail, more = z[i:], true
	case at(i) == '\r' && at(i+1) == '\n':
		tail, more = z[min(i+2, len(z)):], i+2 < len(z)
	case at(i) == 0 || at(i+1) == 0:
	default:
		tail, more = z[i+1:], true
	}
	return expandLine(z[:k], width), tail, more
}

// wordBreak is where translateForDisplay breaks a full line that ends at
// byte i when words are kept whole: after the last whitespace in the
// line's second half, else at its last change between alphanumeric and
// not; ok is false when there is neither.
func wordBreak(i int, at func(int) byte) (k int, ok bool) {
	for k = i; k > i/2; k-- {
		if isCSpace(at(k - 1)) {
			return k, true
		}
	}
	for k = i; k > i/2; k-- {
		if isCAlnum(at(k-1)) != isCAlnum(at(k)) && at(k)&0xc0 != 0x80 {
			return k, true
		}
	}
	return i, false
}

// expandLine copies a display line, TABs expanded as translateForDisplay
// counted them.
func expandLine(z string, width int) string {
	if !strings.Contains(z, "\t") {
		return z
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(z); i++ {
		c := z[i]
		if c != '\t' {
			if c&0xc0 != 0x80 {
				n++
			}
			b.WriteByte(c)
			continue
		}
		for {
			n++
			b.WriteByte(' ')
			if n&7 == 0 || n >= width {
				break
			}
		}
	}
	return b.String()
}

// isCAlnum is C's isalnum() in the "C" locale.
func isCAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// strlenChar counts the UTF-8 characters of z (its bytes that do not
// continue a character).
func strlenChar(z string) int {
	n := 0
	for i := 0; i < len(z); i++ {
		if z[i]&0xc0 != 0x80 {
			n++
		}
	}
	return n
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// widthPrint is the CLI's utf8_width_print: z in w characters, padded on
// the right (on the left when w is negative), cut when longer.
func widthPrint(w *bufio.Writer, width int, z string) {
	aw := abs(width)
	n, i := 0, 0
	for ; i < len(z); i++ {
		if z[i]&0xc0 != 0x80 {
			n++
			if n == aw {
				for i++; i < len(z) && z[i]&0xc0 == 0x80; i++ {
				}
				break
			}
		}
	}
	switch {
	case n >= aw:
		w.WriteString(z[:i])
	case width < 0:
		w.WriteString(strings.Repeat(" ", aw-n))
		w.WriteString(z)
	default:
		w.WriteString(z)
		w.WriteString(strings.Repeat(" ", aw-n))
	}
}

// centered writes z centred in width characters, as the CLI's headers.
func centered(w *bufio.Writer, width int, z string) {
	n := strlenChar(z)
	w.WriteString(strings.Repeat(" ", max((width-n)/2, 0)))
	w.WriteString(z)
	w.WriteString(strings.Repeat(" ", max((width-n+1)/2, 0)))
}

// rowSeparator is the CLI's print_row_separator: dashes across each
// column and its padding, joined and framed by sep.
func (c *columnar) rowSeparator(w *bufio.Writer, sep string) {
	for _, width := range c.widths {
		w.WriteString(sep)
		w.WriteString(strings.Repeat("-", width+2))
	}
	w.WriteString(sep)
	w.WriteByte('\n')
}

// boxSeparator is the CLI's print_box_row_separator.
func (c *columnar) boxSeparator(w *bufio.Writer, left, mid, right string) {
	for i, width := range c.widths {
		if i == 0 {
			w.WriteString(left)
		} else {
			w.WriteString(mid)
		}
		w.WriteString(strings.Repeat(box24, width+2))
	}
	w.WriteString(right)
	w.WriteByte('\n')
}

// widthRows is how many rows of a streamed result set the table modes
// column widths: the CLI measures the whole result, which a stream would
// have to hold; a value of a later row that is wider is cut into lines
// of its column's width.
const widthRows = 1000

// printTable draws r in one of the table modes. Like the CLI it prints
// nothing for a result without rows; table, box and markdown always show
// the header, column mode only with .headers on. The column widths come
// from the first widthRows rows; the rows after them are drawn as they
// arrive.
func printTable(w *bufio.Writer, s *outputSettings, r *Result) {
	r.fill(widthRows)
	if len(r.Rows) == 0 || len(r.Columns) == 0 {
		return
	}
	c := layoutColumnar(s, r)
	c.lineStart, c.colSep, c.rowSep = "| ", " | ", " |\n"
	switch s.mode {
	case ModeColumn:
		c.lineStart, c.colSep, c.rowSep = "", "  ", "\n"
		if s.headers {
			c.columnHeader(w)
		}
	case ModeTable:
		c.rowSeparator(w, "+")
		c.centeredHeader(w, "| ", " | ", " |\n")
		c.rowSeparator(w, "+")
	case ModeMarkdown:
		c.centeredHeader(w, "| ", " | ", " |\n")
		c.rowSeparator(w, "|")
	case ModeBox:
		c.lineStart, c.colSep, c.rowSep = box13+" ", " "+box13+" ", " "+box13+"\n"
		c.boxSeparator(w, box23, box234, box34)
		c.centeredHeader(w, c.lineStart, c.colSep, c.rowSep)
		c.boxSeparator(w, box123, box1234, box134)
	}
	c.printLines(w, s.mode)
	n := len(r.Rows)
	// Later rows are cut into lines at the widths set: a wider value takes
	// more lines rather than break the frame or lose its tail.
	for i, width := range c.widths {
		if width > 0 && (c.wrap[i] == 0 || width < c.wrap[i]) {
			c.wrap[i] = width
		}
	}
	for r.pull() {
		for _, row := range r.Rows {
			c.rows, c.lastLine = c.rows[:0], c.lastLine[:0]
			c.addValues(s, row)
			if c.multiLine {
				c.rowDivider(w, s.mode)
			}
			c.printLines(w, s.mode)
		}
		n += len(r.Rows)
	}
	r.walked = int64(n)
	switch s.mode {
	case ModeTable:
		c.rowSeparator(w, "+")
	case ModeBox:
		c.boxSeparator(w, box12, box124, box14)
	}
}

// printLines draws the grid rows laid out in c.rows, with a divider
// between result rows when some row spans several lines.
func (c *columnar) printLines(w *bufio.Writer, mode Mode) {
	for r, line := range c.rows {
		w.WriteString(c.lineStart)
		for i, text := range line {
			if i > 0 {
				w.WriteString(c.colSep)
			}
			widthPrint(w, c.signs[i]*c.widths[i], text)
		}
		w.WriteString(c.rowSep)
		if c.multiLine && c.lastLine[r] && r+1 < len(c.rows) {
			c.rowDivider(w, mode)
		}
	}
}

// rowDivider separates result rows when some row spans several lines.
func (c *columnar) rowDivider(w *bufio.Writer, mode Mode) {
	switch mode {
	case ModeTable:
		c.rowSeparator(w, "+")
	case ModeBox:
		c.boxSeparator(w, box123, box1234, box134)
	case ModeColumn:
		w.WriteByte('\n')
	}
}

// columnHeader is column mode's header: names aligned as their columns,
// a line of dashes under each.
func (c *columnar) columnHeader(w *bufio.Writer) {
	for i, name := range c.header {
		widthPrint(w, c.signs[i]*c.widths[i], name)
		w.WriteString(sepAfter(i, len(c.header), "  ", "\n"))
	}
	for i, width := range c.widths {
		w.WriteString(strings.Repeat("-", width))
		w.WriteString(sepAfter(i, len(c.widths), "  ", "\n"))
	}
}

// centeredHeader writes the names centred in their columns.
func (c *columnar) centeredHeader(w *bufio.Writer, start, sep, end string) {
	w.WriteString(start)
	for i, name := range c.header {
		if i > 0 {
			w.WriteString(sep)
		}
		centered(w, c.widths[i], name)
	}
	w.WriteString(end)
}

func sepAfter(i, n int, sep, last string) string {
	if i == n-1 {
		return last
	}
	return sep
}

// columnOptions are .mode's options for the table modes: --wrap N (0: no
// limit), --wordwrap, --quote, and the widths .width set.
type columnOptions struct {
	wrap     int
	wordWrap bool
	quote    bool
	widths   []int
}

// defaultWrap is the width the table modes wrap values at, as the CLI's
// ".mode box" does without --wrap.
const defaultWrap = 60

// describe is how ".mode" reports the options.
func (o columnOptions) describe() string {
	ww, q := "off", "no"
	if o.wordWrap {
		ww = "on"
	}
	if o.quote {
		q = ""
	}
	return " --wrap " + strconv.Itoa(o.wrap) + " --wordwrap " + ww + " --" + q + "quote"
}
