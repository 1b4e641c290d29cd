package repl

import (
	"encoding/hex"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// tableCell is a value as the table modes show it: like list mode, except
// that a blob shows as its X'…' literal, since raw bytes would break the
// drawing.
func tableCell(s *outputSettings, v Value) string {
	if v.Kind == KindBlob {
		return "X'" + strings.ToUpper(hex.EncodeToString(v.Bytes)) + "'"
	}
	text, ok := cellText(v)
	if !ok {
		return s.nullValue
	}
	return text
}

// columnSymbols draws column mode: no frame, columns two spaces apart, a
// dashed line under the header, as the CLI's column mode looks.
func columnSymbols() tw.Symbols {
	return tw.NewSymbolCustom("column").WithRow("-").WithColumn("  ").WithCenter("  ").
		WithMidLeft("").WithMidRight("").WithTopLeft("").WithTopMid("").WithTopRight("").
		WithBottomLeft("").WithBottomMid("").WithBottomRight("")
}

// newTable builds a tablewriter table in the style of mode.
func newTable(w io.Writer, mode Mode) *tablewriter.Table {
	var rend tw.Renderer
	switch mode {
	case ModeBox:
		rend = renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)})
	case ModeMarkdown:
		rend = renderer.NewMarkdown()
	case ModeColumn:
		rend = renderer.NewBlueprint(tw.Rendition{
			Symbols: columnSymbols(),
			Borders: tw.Border{Left: tw.Off, Right: tw.Off, Top: tw.Off, Bottom: tw.Off},
			Settings: tw.Settings{
				Lines:      tw.Lines{ShowTop: tw.Off, ShowBottom: tw.Off, ShowHeaderLine: tw.On},
				Separators: tw.Separators{BetweenColumns: tw.On, BetweenRows: tw.Off},
			},
		})
	default:
		rend = renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})
	}
	opts := []tablewriter.Option{
		tablewriter.WithRenderer(rend),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithTrimSpace(tw.Off),
	}
	if mode == ModeColumn {
		opts = append(opts, tablewriter.WithPadding(tw.PaddingNone), tablewriter.WithHeaderAlignment(tw.AlignLeft))
	}
	return tablewriter.NewTable(w, opts...)
}

// printTable draws r in one of the table modes. Like the CLI it prints
// nothing for a result without rows, and always shows the header.
func printTable(w io.Writer, s *outputSettings, r *Result) error {
	if len(r.Rows) == 0 {
		return nil
	}
	t := newTable(w, s.mode)
	header := make([]any, len(r.Columns))
	for i, c := range r.Columns {
		header[i] = c
	}
	t.Header(header...)
	for _, row := range r.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = tableCell(s, v)
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	return t.Render()
}
