package server

import (
	"fmt"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
)

// rowsToProto converts result rows.
func rowsToProto(rows [][]statemachine.Value) []*resqlitepb.Row {
	out := make([]*resqlitepb.Row, len(rows))
	for i, r := range rows {
		vals := make([]*resqlitepb.Value, len(r))
		for j, v := range r {
			vals[j] = resqlitepb.ValueToProto(v)
		}
		out[i] = &resqlitepb.Row{Values: vals}
	}
	return out
}

// paramsFromProto converts bound parameters.
func paramsFromProto(ps []*resqlitepb.Param) []statemachine.Param {
	if len(ps) == 0 {
		return nil
	}
	out := make([]statemachine.Param, len(ps))
	for i, p := range ps {
		out[i] = statemachine.Param{Name: p.GetName(), Value: resqlitepb.ValueFromProto(p.GetValue())}
	}
	return out
}

// commandFromProto builds the entry payload's command, checking the
// documented size limits.
func commandFromProto(req *resqlitepb.ExecuteRequest) (statemachine.Command, error) {
	stmts := req.GetStatements()
	if len(stmts) == 0 {
		return statemachine.Command{}, fmt.Errorf("an entry needs at least one statement")
	}
	cmd := statemachine.Command{Statements: make([]statemachine.Statement, len(stmts))}
	for i, s := range stmts {
		if len(s.GetSql()) > MaxStatementBytes {
			return statemachine.Command{}, fmt.Errorf("statement %d is %d bytes; the largest accepted is %d bytes", i+1, len(s.GetSql()), MaxStatementBytes)
		}
		cmd.Statements[i] = statemachine.Statement{SQL: s.GetSql(), Params: paramsFromProto(s.GetParams())}
	}
	return cmd, nil
}

// errorKindToProto converts an error kind.
func errorKindToProto(k statemachine.ErrorKind) resqlitepb.ErrorKind {
	switch k {
	case statemachine.ErrorParse:
		return resqlitepb.ErrorKind_ERROR_KIND_PARSE
	case statemachine.ErrorRuntime:
		return resqlitepb.ErrorKind_ERROR_KIND_RUNTIME
	case statemachine.ErrorRejected:
		return resqlitepb.ErrorKind_ERROR_KIND_REJECTED
	case statemachine.ErrorMalformed:
		return resqlitepb.ErrorKind_ERROR_KIND_MALFORMED
	}
	return resqlitepb.ErrorKind_ERROR_KIND_UNSPECIFIED
}

// sqlErrorToProto converts a statement error.
func sqlErrorToProto(e *statemachine.Error) *resqlitepb.SqlError {
	if e == nil {
		return nil
	}
	return &resqlitepb.SqlError{
		Kind: errorKindToProto(e.Kind), Code: int32(e.Code), Message: e.Message,
		Statement: int32(e.Statement), Offset: int32(e.Offset),
	}
}

// resultToProto converts an applied entry's result.
func resultToProto(r *statemachine.Result) *resqlitepb.ExecuteResponse {
	out := &resqlitepb.ExecuteResponse{Index: r.Index, Error: sqlErrorToProto(r.Err)}
	out.Results = make([]*resqlitepb.StatementResult, len(r.Statements))
	for i, s := range r.Statements {
		out.Results[i] = &resqlitepb.StatementResult{
			RowsAffected: s.RowsAffected, LastInsertRowid: s.LastInsertRowID,
			Columns: s.Columns, Rows: rowsToProto(s.Rows),
		}
	}
	return out
}
