package repl

import (
	"bufio"
	"context"
	"fmt"
	"strings"
)

// infoCommands are the dot-commands that describe and tune the session
// and its database: .show, .eqp, .parameter, .stats and .databases.
func infoCommands() []dotCommand {
	return []dotCommand{
		{name: "show", usage: ".show", help: "Show the current values for various settings", run: showCommand},
		{name: "eqp", usage: ".eqp on|off|full|...", help: "Enable or disable automatic EXPLAIN QUERY PLAN", run: eqpCommand},
		{name: "parameter", usage: ".parameter CMD ...", help: "Manage SQL parameter bindings: clear, init, list, set NAME VALUE, unset NAME", run: parameterCommand},
		{name: "stats", usage: ".stats ?on|off|stmt|vmstep?", help: "Show the session's statement and row counts, or turn them on after each statement", run: statsCommand},
		{name: "databases", usage: ".databases", help: "List names and files of attached databases", run: databasesCommand},
	}
}

// showCommand is the CLI's .show: the settings, names right-aligned in
// 12 columns, strings in C notation. filename is the main database's file
// on the node the shell talks to.
func showCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) != 0 {
		return s.usageError(".show")
	}
	file := ""
	if dbs, err := s.databaseList(ctx); err == nil && len(dbs) > 0 {
		file = dbs[0].file
	}
	w := s.writer(s.out)
	defer w.Flush()
	line := func(name, value string) { fmt.Fprintf(w, "%12.12s: %s\n", name, value) }
	line("echo", onOff(s.echo))
	line("eqp", s.eqp.String())
	line("explain", "auto")
	line("headers", onOff(s.settings.headers))
	line("mode", s.settings.modeName())
	line("nullvalue", cStringLiteral(s.settings.nullValue))
	output := "stdout"
	if s.outPath != "" {
		output = s.outPath
	}
	line("output", output)
	line("colseparator", cStringLiteral(s.settings.colSep))
	line("rowseparator", cStringLiteral(s.settings.rowSep))
	line("stats", s.stats.String())
	var width strings.Builder
	for _, n := range s.settings.columns.widths {
		fmt.Fprintf(&width, "%d ", n)
	}
	line("width", width.String())
	line("filename", file)
	return false, false
}

func onOff(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

// cStringLiteral is the CLI's output_c_string: s in double quotes with
// backslash escapes, other unprintable bytes in octal.
func cStringLiteral(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(cString(s)); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '"':
			b.WriteString(`\"`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// attachedDB is one row of PRAGMA database_list.
type attachedDB struct{ name, file string }

// databaseList reads PRAGMA database_list on the node, without its TEMP
// schema.
func (s *Shell) databaseList(ctx context.Context) ([]attachedDB, error) {
	r, err := s.client.Query(ctx, "PRAGMA database_list", s.consistency)
	if err != nil {
		return nil, err
	}
	if r.Err != nil {
		return nil, r.Err
	}
	var dbs []attachedDB
	for _, row := range r.Rows {
		if len(row) < 3 {
			continue
		}
		name, ok1 := cellText(row[1])
		file, ok2 := cellText(row[2])
		// The node's TEMP schema holds only generate_series (TEMP
		// objects are refused), which sqlite3 builds in.
		if ok1 && ok2 && name != "temp" {
			dbs = append(dbs, attachedDB{name: name, file: file})
		}
	}
	return dbs, nil
}

// databasesCommand is the CLI's .databases: "NAME: FILE r/w" for each
// database of the node's connection ("" for one without a file). Every
// database takes writes, through the log.
func databasesCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	dbs, err := s.databaseList(ctx)
	if err != nil {
		return s.errorf("%v", err)
	}
	w := s.writer(s.out)
	defer w.Flush()
	printDatabases(w, dbs)
	return false, false
}

func printDatabases(w *bufio.Writer, dbs []attachedDB) {
	for _, db := range dbs {
		file := db.file
		if file == "" {
			file = `""`
		}
		fmt.Fprintf(w, "%s: %s r/w\n", db.name, file)
	}
}
