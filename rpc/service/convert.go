package service

import (
	"fmt"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine"
)

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
		cmd.Statements[i] = statemachine.Statement{SQL: s.GetSql(), Params: wire.ParamsFromProto(s.GetParams())}
	}
	return cmd, nil
}

// sqlErrorToProto converts a statement error.
func sqlErrorToProto(e *statemachine.Error) *resqlitepb.SqlError {
	if e == nil {
		return nil
	}
	return &resqlitepb.SqlError{
		Kind: wire.ErrorKindToProto(e.Kind), Code: int32(e.Code), Message: e.Message,
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
			Columns: s.Columns, Rows: wire.RowsToProto(s.Rows),
		}
	}
	return out
}
