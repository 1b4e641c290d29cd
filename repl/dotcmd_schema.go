package repl

import (
	"context"
	"fmt"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// sqlQuote quotes s as an SQL string literal.
func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// schemaQuery runs a read of the schema at the session's consistency
// level and returns the first column of every row as text.
func (s *Shell) schemaQuery(ctx context.Context, sql string) ([]string, error) {
	r, err := s.client.Query(ctx, sql, s.consistency)
	if err != nil {
		return nil, err
	}
	if r.Err != nil {
		return nil, r.Err
	}
	var names []string
	for _, row := range r.Rows {
		if len(row) > 0 {
			text, _ := cellText(row[0])
			names = append(names, text)
		}
	}
	return names, nil
}

// printNameColumns prints names in columns across 80 characters, filled
// top to bottom, as the CLI's .tables and .indexes do.
func (s *Shell) printNameColumns(names []string) {
	if len(names) == 0 {
		return
	}
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	cols := max(80/(width+2), 1)
	rows := (len(names) + cols - 1) / cols
	w := s.writer(s.out)
	defer w.Flush()
	for i := 0; i < rows; i++ {
		for j := i; j < len(names); j += rows {
			sep := ""
			if j >= rows {
				sep = "  "
			}
			fmt.Fprintf(w, "%s%-*s", sep, width, names[j])
		}
		w.WriteString("\n")
	}
}

func tablesCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) > 1 {
		return s.usageError(".tables ?PATTERN?")
	}
	pattern := "%"
	if len(args) == 1 {
		pattern = args[0]
	}
	names, err := s.schemaQuery(ctx, "SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' AND "+sqlval.HideInternalObjects+" AND name LIKE "+sqlQuote(pattern)+" ORDER BY 1")
	if err != nil {
		return s.errorf("%v", err)
	}
	s.printNameColumns(names)
	return false, false
}

func indexesCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) > 1 {
		return s.usageError(".indexes ?TABLE?")
	}
	filter := ""
	if len(args) == 1 {
		filter = " AND tbl_name LIKE " + sqlQuote(args[0])
	}
	names, err := s.schemaQuery(ctx, "SELECT name FROM sqlite_schema WHERE type='index' AND "+sqlval.HideInternalObjects+filter+" ORDER BY 1")
	if err != nil {
		return s.errorf("%v", err)
	}
	s.printNameColumns(names)
	return false, false
}

// schemaCommand prints the CREATE statements, each with a ';', in the
// order they were made; like the CLI it includes SQLite's own tables that
// have one (sqlite_sequence, sqlite_stat1), but not ReSqlite's. Unlike the
// CLI it does not annotate views with their column names.
func schemaCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) > 1 {
		return s.usageError(".schema ?PATTERN?")
	}
	filter := ""
	if len(args) == 1 {
		filter = " AND (lower(tbl_name) LIKE lower(" + sqlQuote(args[0]) + ") OR lower(name) LIKE lower(" + sqlQuote(args[0]) + "))"
	}
	stmts, err := s.schemaQuery(ctx, "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND "+sqlval.HideInternalObjects+filter+" ORDER BY rowid")
	if err != nil {
		return s.errorf("%v", err)
	}
	w := s.writer(s.out)
	defer w.Flush()
	for _, sql := range stmts {
		fmt.Fprintf(w, "%s;\n", schemaLine(sql))
	}
	return false, false
}

// schemaLine is the CLI's printSchemaLine: CREATE TABLE of a name in
// quotes is written CREATE TABLE IF NOT EXISTS.
func schemaLine(sql string) string {
	const create = "CREATE TABLE "
	if len(sql) > len(create) && strings.HasPrefix(sql, create) && (sql[len(create)] == '"' || sql[len(create)] == '\'') {
		return "CREATE TABLE IF NOT EXISTS " + sql[len(create):]
	}
	return sql
}

// dumpCommand streams the cluster's dump of the database (or of the
// objects matching the patterns), with the CLI's .dump options, to the
// output.
func dumpCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	opts, bad := dumpOptions(args)
	if bad != "" {
		fmt.Fprintf(s.opts.Stderr, "Unknown option \"%s\" on \".dump\"\n", bad)
		return false, true
	}
	w := s.writer(s.out)
	err := s.client.Dump(ctx, w, opts)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return s.errorf("dump: %v", err)
	}
	return false, false
}

// dumpOptions reads .dump's arguments as the CLI does: an argument
// beginning with "-" or "--" is an option, any other a LIKE pattern; bad
// is the first unknown option.
func dumpOptions(args []string) (opts sqlval.DumpOptions, bad string) {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			opts.Tables = append(opts.Tables, a)
			continue
		}
		switch strings.TrimPrefix(a[1:], "-") {
		case "preserve-rowids":
			opts.PreserveRowids = true
		case "newlines":
			opts.Newlines = true
		case "data-only":
			opts.DataOnly = true
		case "nosys":
			opts.NoSys = true
		default:
			return opts, a
		}
	}
	return opts, ""
}
