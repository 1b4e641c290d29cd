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
	switch {
	case req.GetClientId() != 0 && req.GetWriteSeq() == 0:
		return statemachine.Command{}, fmt.Errorf("a session write needs a write_seq (from 1)")
	case req.GetClientId() == 0 && req.GetWriteSeq() != 0:
		return statemachine.Command{}, fmt.Errorf("a write_seq needs a client_id from RegisterSession")
	case req.GetClientId() != 0:
		cmd.Session = &statemachine.SessionTag{ClientID: req.GetClientId(), Seq: req.GetWriteSeq(), Acked: req.GetAckedSeq()}
	}
	for i, s := range stmts {
		if len(s.GetSql()) > MaxStatementBytes {
			return statemachine.Command{}, fmt.Errorf("statement %d is %d bytes; the largest accepted is %d bytes", i+1, len(s.GetSql()), MaxStatementBytes)
		}
		cmd.Statements[i] = statemachine.Statement{SQL: string(s.GetSql()), Params: wire.ParamsFromProto(s.GetParams())}
	}
	return cmd, nil
}

// sqlErrorToProto converts a statement error.
func sqlErrorToProto(e *statemachine.Error) *resqlitepb.SqlError {
	if e == nil {
		return nil
	}
	return &resqlitepb.SqlError{
		Kind: wire.ErrorKindToProto(e.Kind), Code: int32(e.Code), Message: []byte(e.Message),
		Statement: int32(e.Statement), Offset: int32(e.Offset),
	}
}

// resultToProto converts an applied entry's result.
func resultToProto(r *statemachine.Result) *resqlitepb.ExecuteResponse {
	out := &resqlitepb.ExecuteResponse{
		Index: r.Index, Error: sqlErrorToProto(r.Err),
		Repeat: r.Repeat, ResultNotRetained: r.NotRetained, SessionError: sessionErrorToProto(r.SessionErr),
	}
	out.Results = make([]*resqlitepb.StatementResult, len(r.Statements))
	for i, s := range r.Statements {
		out.Results[i] = &resqlitepb.StatementResult{
			RowsAffected: s.RowsAffected, LastInsertRowid: s.LastInsertRowID,
			Columns: wire.Bytes(s.Columns), Rows: wire.RowsToProto(s.Rows),
		}
	}
	return out
}

// sessionErrorToProto converts a session write's refusal.
func sessionErrorToProto(e *statemachine.SessionError) *resqlitepb.SessionError {
	if e == nil {
		return nil
	}
	kind := resqlitepb.SessionError_KIND_UNSPECIFIED
	switch e.Kind {
	case statemachine.SessionUnknown:
		kind = resqlitepb.SessionError_KIND_UNKNOWN_SESSION
	case statemachine.SessionOutOfOrder:
		kind = resqlitepb.SessionError_KIND_OUT_OF_ORDER
	case statemachine.SessionAcked:
		kind = resqlitepb.SessionError_KIND_ACKNOWLEDGED
	}
	return &resqlitepb.SessionError{Kind: kind, ResendFrom: e.ResendFrom, Message: e.Message}
}
