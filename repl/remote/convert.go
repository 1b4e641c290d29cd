package remote

import (
	"fmt"
	"time"

	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
)

// valueToREPL converts one SQLite value, keeping its storage class.
func valueToREPL(v client.Value) repl.Value {
	switch v.Type {
	case sqlval.TypeInteger:
		return repl.Integer(v.Int)
	case sqlval.TypeReal:
		return repl.Real(v.Real)
	case sqlval.TypeText:
		return repl.Text(v.Text)
	case sqlval.TypeBlob:
		b := v.Blob
		if b == nil {
			b = []byte{}
		}
		return repl.Blob(b)
	}
	return repl.Null()
}

// rowsToREPL converts result rows: two allocations for all of them (the
// values of every row in one array), none per row or value.
func rowsToREPL(rows [][]client.Value) [][]repl.Value {
	if rows == nil {
		return nil
	}
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	cells := make([]repl.Value, n)
	out := make([][]repl.Value, len(rows))
	for i, r := range rows {
		row := cells[:len(r):len(r)]
		cells = cells[len(r):]
		for j, v := range r {
			row[j] = valueToREPL(v)
		}
		out[i] = row
	}
	return out
}

// unpacked is a chunk decoded into the REPL's values: its rows are
// slices of cells.
type unpacked struct {
	cells []repl.Value
	rows  [][]repl.Value
}

// packedToREPL decodes a packed chunk of rows (rowpack) into the REPL's
// values, in into's memory when it is large enough and in two new
// allocations otherwise: none per row or value (TEXT shares the chunk's
// bytes, BLOB is a sub-slice of them).
func packedToREPL(packed []byte, into unpacked) (unpacked, error) {
	d, err := rowpack.NewDecoder(packed)
	if err != nil {
		return unpacked{}, err
	}
	cols, n := d.Cols(), d.Rows()
	cells, rows := into.cells[:0], into.rows[:0]
	if cap(cells) < n*cols || cap(rows) < n {
		cells, rows = make([]repl.Value, 0, n*cols), make([][]repl.Value, 0, n)
	}
	cells = cells[:n*cols]
	for i := range cells {
		c, err := d.Next()
		if err != nil {
			return unpacked{}, err
		}
		cells[i] = cellToREPL(c)
	}
	for i := range n {
		rows = append(rows, cells[i*cols:(i+1)*cols:(i+1)*cols])
	}
	return unpacked{cells: cells, rows: rows}, nil
}

// cellToREPL converts one decoded cell, keeping its storage class.
func cellToREPL(c rowpack.Cell) repl.Value {
	switch c.Type {
	case sqlval.TypeInteger:
		return repl.Value{Kind: repl.KindInteger, Int: c.Int}
	case sqlval.TypeReal:
		return repl.Value{Kind: repl.KindReal, Real: c.Real}
	case sqlval.TypeText:
		return repl.Value{Kind: repl.KindText, Text: c.String()}
	case sqlval.TypeBlob:
		return repl.Value{Kind: repl.KindBlob, Bytes: c.Bytes}
	}
	return repl.Value{}
}

// phaseOf says how the CLI would name the failure of kind: a statement
// that could not be prepared is a parse error, one that failed while
// stepping a runtime error. A statement ReSqlite refuses (a
// non-deterministic function, ATTACH, …) is refused by SQLite's
// authorizer while it is prepared, which the CLI reports as a parse
// error. A malformed entry is neither.
func phaseOf(kind client.ErrorKind) repl.ErrorPhase {
	switch kind {
	case sqlval.ErrorParse, sqlval.ErrorRejected:
		return repl.PhaseParse
	case sqlval.ErrorRuntime:
		return repl.PhaseRuntime
	}
	return repl.PhaseOther
}

// sqlErrorToREPL converts a statement's SQLite error. The service sends
// SQLite's extended result code; the CLI prints the primary code
// (UNIQUE constraint failed … (19), not (2067)).
func sqlErrorToREPL(e *client.SQLError) *repl.SQLError {
	if e == nil {
		return nil
	}
	offset := e.Offset
	if offset < 0 {
		offset = -1
	}
	return &repl.SQLError{Code: e.Code & 0xff, Message: e.Message, Phase: phaseOf(e.Kind), Offset: offset}
}

// execResultsToREPL converts an applied entry of n statements into the
// REPL's one Result per attempted statement: the results of the
// statements that ran and, when the entry failed, the failing
// statement's error at its own position (a failed block ends there).
func execResultsToREPL(r *client.ExecResult, n int) []repl.Result {
	if r.NotRetained {
		// The statements' output is gone: say so instead of printing
		// nothing as if they had returned no rows.
		return []repl.Result{{Err: &repl.SQLError{Code: 1, Offset: -1, Message: fmt.Sprintf(
			"the write applied once (entry %d), but it was sent again after a leader change and its result was too large to keep for the retry (over 64 KiB): query the data again", r.Index)}}}
	}
	out := make([]repl.Result, 0, len(r.Statements)+1)
	for _, s := range r.Statements {
		out = append(out, repl.Result{
			Columns: s.Columns, Rows: rowsToREPL(s.Rows),
			RowsAffected: s.RowsAffected, LastInsertRowID: s.LastInsertRowID,
		})
	}
	if r.Err == nil {
		return out
	}
	at := r.Err.Statement
	if at < 0 || at >= n {
		at = n - 1
	}
	if at < len(out) {
		out = out[:at]
	}
	for len(out) < at {
		out = append(out, repl.Result{})
	}
	return append(out, repl.Result{Err: sqlErrorToREPL(r.Err)})
}

// rowsToResult converts a read's rows.
func rowsToResult(r *client.Rows) repl.Result {
	return repl.Result{Columns: r.Columns, Rows: rowsToREPL(r.Rows)}
}

// consistencyToRPC converts a read consistency level.
func consistencyToRPC(c repl.Consistency) client.Consistency {
	switch c {
	case repl.Lease:
		return client.Lease
	case repl.Local:
		return client.Local
	}
	return client.Linearizable
}

// roleToREPL spells a node's role as the REPL knows them: a pre-candidate
// is a candidate that has not yet raised its term.
func roleToREPL(role string) string {
	if role == "pre-candidate" {
		return "candidate"
	}
	return role
}

// membersToREPL converts members as the node with leader id leader sees
// them.
func membersToREPL(ms []*resqlitepb.Member, leader uint64) []repl.Member {
	out := make([]repl.Member, len(ms))
	for i, m := range ms {
		role := "follower"
		switch {
		case m.GetId() == leader:
			role = "leader"
		case m.GetUnreachable():
			role = "unreachable"
		case m.GetLearner():
			role = "learner"
		}
		contact := time.Duration(-1) // not heard from
		if ms := m.GetLastContactMs(); ms >= 0 {
			contact = time.Duration(ms) * time.Millisecond
		}
		out[i] = repl.Member{
			ID: m.GetId(), Address: m.GetAddress(), Role: role, Voter: !m.GetLearner(),
			Reachable: m.GetRecentActive() && !m.GetUnreachable(), MatchIndex: m.GetMatchIndex(), LastContact: contact,
		}
	}
	return out
}

// statusToREPL converts a node's status.
func statusToREPL(st *resqlitepb.StatusResponse) repl.Status {
	return repl.Status{
		NodeID: st.GetId(), Address: st.GetAddress(), Role: roleToREPL(st.GetRole()), Term: st.GetTerm(),
		LeaderID: st.GetLeaderId(), LeaderAddress: st.GetLeaderAddress(),
		CommitIndex: st.GetCommitIndex(), AppliedIndex: st.GetAppliedIndex(),
		Members: membersToREPL(st.GetMembers(), st.GetLeaderId()),
	}
}

// statementsToRPC converts an entry's SQL texts.
func statementsToRPC(e repl.Entry) []client.Statement {
	out := make([]client.Statement, len(e.Statements))
	for i, s := range e.Statements {
		out[i] = client.Statement{SQL: s, Params: paramsToRPC(entryParams(e, i))}
	}
	return out
}
