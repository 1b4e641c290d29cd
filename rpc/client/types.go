package client

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// ErrOutcomeUnknown is wrapped by the error of a write that may or may
// not have committed.
var ErrOutcomeUnknown = errors.New("write outcome unknown")

// Value is one SQLite value with its type.
type Value = sqlval.Value

// Param is a bound parameter.
type Param = sqlval.Param

// Consistency is how fresh a read must be.
type Consistency = resqlitepb.Consistency

// The read consistency levels (see resqlite.proto).
const (
	Linearizable = resqlitepb.Consistency_CONSISTENCY_LINEARIZABLE
	Lease        = resqlitepb.Consistency_CONSISTENCY_LEASE
	Local        = resqlitepb.Consistency_CONSISTENCY_LOCAL
)

// Statement is one SQL text with its parameters.
type Statement struct {
	SQL    string
	Params []Param
}

// ErrorKind says at which point a statement failed.
type ErrorKind = sqlval.ErrorKind

// SQLError is a statement's error as SQLite (or ReSqlite's write rules)
// reported it.
type SQLError struct {
	Kind ErrorKind
	// Code is SQLite's extended result code.
	Code int
	// Message is SQLite's message.
	Message string
	// Statement is the index of the failing statement in its entry.
	Statement int
	// Offset is the byte offset of the error in the statement, or -1.
	Offset int
}

func (e *SQLError) Error() string {
	return fmt.Sprintf("%s (%d)", e.Message, e.Code)
}

// StatementResult is what one statement of a write produced.
type StatementResult struct {
	RowsAffected    int64
	LastInsertRowID int64
	Columns         []string
	Rows            [][]Value
}

// ExecResult is the outcome of an applied entry.
type ExecResult struct {
	// Index is the entry's log index (0 when the pre-check refused it).
	Index uint64
	// Statements are the results of the statements that ran; when Err is
	// set nothing was written.
	Statements []StatementResult
	// Err is the SQL error that rolled the entry back.
	Err *SQLError
	// Repeat is set when this is the recorded result of the write's
	// first copy: the client sent it again after a leader change or a
	// broken connection, and the cluster applied it once. NotRetained is
	// set when that result was too large to keep (over 64 KiB): the write
	// applied once, but Statements and Err are empty.
	Repeat, NotRetained bool
}

// Rows is a read's result.
type Rows struct {
	Columns []string
	Rows    [][]Value
	// AppliedIndex is the index the read was served at (at least).
	AppliedIndex uint64
}

func statementsToProto(stmts []Statement) []*resqlitepb.Statement {
	out := make([]*resqlitepb.Statement, len(stmts))
	for i, s := range stmts {
		out[i] = &resqlitepb.Statement{Sql: []byte(s.SQL), Params: wire.ParamsToProto(s.Params)}
	}
	return out
}

func sqlErrorFromProto(e *resqlitepb.SqlError) *SQLError {
	if e == nil {
		return nil
	}
	return &SQLError{Kind: wire.ErrorKindFromProto(e.GetKind()), Code: int(e.GetCode()), Message: string(e.GetMessage()), Statement: int(e.GetStatement()), Offset: int(e.GetOffset())}
}

func execResultFromProto(r *resqlitepb.ExecuteResponse) *ExecResult {
	out := &ExecResult{Index: r.GetIndex(), Err: sqlErrorFromProto(r.GetError()), Repeat: r.GetRepeat(), NotRetained: r.GetResultNotRetained()}
	for _, s := range r.GetResults() {
		out.Statements = append(out.Statements, StatementResult{
			RowsAffected: s.GetRowsAffected(), LastInsertRowID: s.GetLastInsertRowid(),
			Columns: wire.Strings(s.GetColumns()), Rows: wire.RowsFromProto(s.GetRows()),
		})
	}
	return out
}

// writeRequest converts a write's statements into its request, refusing,
// before it is sent, a write the nodes would refuse before proposing it
// (resqlite.proto's limits): a session write must not take a sequence
// number it cannot use. The request's protobuf size bounds the entry's
// encoded size from above, less the entry's few header bytes.
func writeRequest(stmts []Statement) (*resqlitepb.ExecuteRequest, error) {
	if len(stmts) == 0 {
		return nil, status.Error(codes.InvalidArgument, "write refused, nothing proposed: an entry needs at least one statement")
	}
	for i, st := range stmts {
		if len(st.SQL) > sqlval.MaxStatementBytes {
			return nil, status.Errorf(codes.InvalidArgument, "write refused, nothing proposed: statement %d is %d bytes; the largest accepted is %d bytes", i+1, len(st.SQL), sqlval.MaxStatementBytes)
		}
	}
	req := &resqlitepb.ExecuteRequest{Statements: statementsToProto(stmts)}
	if n := proto.Size(req); n > sqlval.MaxEntryBytes-entryHeaderBytes {
		return nil, status.Errorf(codes.InvalidArgument, "write refused, nothing proposed: the entry is about %d bytes; the largest accepted is %d bytes", n, sqlval.MaxEntryBytes)
	}
	return req, nil
}

// entryHeaderBytes bounds what an encoded session entry adds to its
// statements (kind, time, flags, ids, checksum).
const entryHeaderBytes = 64
