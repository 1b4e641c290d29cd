package repl

import (
	"context"
	"io"
)

// eqpCommand is the CLI's .eqp on|off|trigger|full. ReSqlite cannot turn on
// trigger plans on the node's connection, so trigger shows what on shows.
func eqpCommand(s *Shell, _ context.Context, args []string) (bool, bool) {
	if len(args) != 1 {
		return s.usageError(".eqp off|on|trace|trigger|full")
	}
	switch args[0] {
	case "full":
		s.eqp = eqpFull
	case "trigger":
		s.eqp = eqpTrigger
	default:
		s.eqp = eqpOff
		if s.booleanArg(args[0]) {
			s.eqp = eqpOn
		}
	}
	return false, false
}

// sendPlan, with .eqp on, asks for st's query plan before st runs, and
// prints it as the CLI does (with .eqp full, then its EXPLAIN listing) (a statement with an empty plan, such as a
// CREATE, prints nothing). An EXPLAIN statement shows only its own
// output. A plan that cannot be had (st fails to prepare) prints nothing:
// st reports the error itself.
func (s *Shell) sendPlan(ctx context.Context, out io.Writer, st Statement) {
	if s.eqp == eqpOff || isExplain(st.SQL) {
		return
	}
	req := Request{Read: true, Query: "EXPLAIN QUERY PLAN " + st.SQL, Level: s.consistency}
	s.send(ctx, req, func(r Reply) {
		if r.Err != nil || len(r.Results) != 1 || r.Results[0].Err != nil {
			return
		}
		rows, ok := eqpRows(&r.Results[0])
		if !ok {
			return
		}
		w := s.writer(out)
		printQueryPlan(w, rows)
		w.Flush()
	})
	if s.eqp == eqpFull {
		s.sendListing(ctx, out, st)
	}
}

// sendListing, with .eqp full, asks for st's EXPLAIN listing after its
// plan and prints it as an EXPLAIN is printed.
func (s *Shell) sendListing(ctx context.Context, out io.Writer, st Statement) {
	req := Request{Read: true, Query: "EXPLAIN " + st.SQL, Level: s.consistency}
	s.send(ctx, req, func(r Reply) {
		if r.Err != nil || len(r.Results) != 1 || r.Results[0].Err != nil {
			return
		}
		w := s.writer(out)
		printExplain(w, &s.settings, &r.Results[0])
		w.Flush()
	})
}

// isExplain reports a statement that starts with EXPLAIN.
func isExplain(sql string) bool {
	words, _ := leadingWords(sql, 1)
	return len(words) == 1 && words[0] == "EXPLAIN"
}
