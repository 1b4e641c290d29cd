package remote

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Dump implements repl.Client: the service's dump of the database, read
// at one applied index. With table names (LIKE patterns, as the CLI's
// .dump takes them) only the matching tables, their rows, and the
// indexes, triggers and views on them are kept.
//
// The service dumps whatever the node has applied beyond the session's
// index; so that a dump is as fresh as a linearizable read, a
// linearizable read first raises the session's index to the cluster's
// commit point (a lagging follower then waits to apply it).
func (c *Client) Dump(ctx context.Context, w io.Writer, tables ...string) error {
	if _, err := c.rpc.Query(ctx, client.Linearizable, "SELECT 1"); err != nil {
		return mapError(ctx, err)
	}
	if len(tables) == 0 {
		_, err := c.rpc.Dump(ctx, w)
		return mapError(ctx, err)
	}
	keep, err := c.dumpFilter(ctx, tables)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- keep.copy(w, pr) }()
	_, err = c.rpc.Dump(ctx, pw)
	pw.CloseWithError(err)
	if ferr := <-done; err == nil {
		err = ferr
	}
	return mapError(ctx, err)
}

// dumpFilter says which statements of a dump belong to the named tables.
type dumpFilter struct {
	// schema are the CREATE statements to keep, as the dump writes them.
	schema map[string]bool
	// inserts are the "INSERT INTO "t" VALUES(" prefixes of kept tables.
	inserts []string
}

// dumpFilter reads which schema objects belong to tables matching the
// patterns.
func (c *Client) dumpFilter(ctx context.Context, patterns []string) (*dumpFilter, error) {
	var conds []string
	for _, p := range patterns {
		conds = append(conds, "tbl_name LIKE "+quoteLiteral(p))
	}
	rows, err := c.rpc.Query(ctx, client.Linearizable,
		"SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND ("+strings.Join(conds, " OR ")+")")
	if err != nil {
		if se, ok := err.(*client.SQLError); ok {
			return nil, fmt.Errorf("dump: %s", se.Message)
		}
		return nil, mapError(ctx, err)
	}
	f := &dumpFilter{schema: map[string]bool{}}
	for _, r := range rows.Rows {
		if len(r) != 3 {
			continue
		}
		f.schema[r[2].Text+";"] = true
		if r[0].Text == "table" {
			f.inserts = append(f.inserts, "INSERT INTO "+sqlval.QuoteIdent(r[1].Text)+" VALUES(")
		}
	}
	return f, nil
}

// keeps reports whether stmt (one complete statement, with its ';')
// belongs in the filtered dump.
func (f *dumpFilter) keeps(stmt string) bool {
	s := strings.TrimSpace(stmt)
	switch s {
	case "BEGIN TRANSACTION;", "COMMIT;":
		return true
	}
	if f.schema[s] {
		return true
	}
	for _, p := range f.inserts {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// copy writes the statements of the dump read from r that f keeps to w.
// Statements end at the line where they are complete (sqlite3_complete).
func (f *dumpFilter) copy(w io.Writer, r io.Reader) error {
	br := bufio.NewReader(r)
	var stmt strings.Builder
	for {
		line, err := br.ReadString('\n')
		stmt.WriteString(line)
		if s := stmt.String(); s != "" && (repl.Complete(s) || err != nil) {
			if f.keeps(s) {
				if _, werr := io.WriteString(w, s); werr != nil {
					io.Copy(io.Discard, br)
					return werr
				}
			}
			stmt.Reset()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
