package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// requestError is the failure of a request as a whole. Its text is the
// service's message without gRPC's "rpc error: code = … desc =" framing;
// errors.Is still finds what it wraps: repl.ErrOutcomeUnknown for a write
// that may have committed, and the context's error when the caller gave
// up.
type requestError struct {
	msg     string
	wrapped []error
}

func (e *requestError) Error() string   { return e.msg }
func (e *requestError) Unwrap() []error { return e.wrapped }

// codeNames are the words a user reads for the gRPC codes the service
// documents (rpc/resqlite.proto).
var codeNames = map[codes.Code]string{
	codes.Unavailable:      "unavailable",
	codes.Aborted:          "aborted",
	codes.InvalidArgument:  "refused",
	codes.DeadlineExceeded: "timed out",
}

// mapError converts a request's failure (err from rpc/client) for the
// REPL. ctx is the request's context: when it ended, the failure is
// reported as the interruption it is.
func mapError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	wrapped := []error{err}
	if errors.Is(err, client.ErrOutcomeUnknown) {
		wrapped = append(wrapped, repl.ErrOutcomeUnknown)
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		wrapped = append(wrapped, cerr)
	}
	return &requestError{msg: describe(err), wrapped: wrapped}
}

// describe returns err's text, with a gRPC status shown as its message
// (prefixed with the code's name where the message does not say it).
func describe(err error) string {
	var se interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &se) || errors.Is(err, client.ErrOutcomeUnknown) {
		return err.Error()
	}
	st := se.GRPCStatus()
	msg := st.Message()
	if st.Code() == codes.Canceled {
		return "interrupted"
	}
	if name, ok := codeNames[st.Code()]; ok {
		return fmt.Sprintf("%s: %s", name, msg)
	}
	if st.Code() != codes.Unknown {
		return fmt.Sprintf("%s: %s", st.Code(), msg)
	}
	return msg
}

// interrupted is what SQLite reports for a statement stopped by
// sqlite3_interrupt, which is what a cancelled read amounts to.
func interrupted() *repl.SQLError {
	return &repl.SQLError{Code: 9, Message: "interrupted", Phase: repl.PhaseRuntime, Offset: -1}
}

// refusedRead turns a read the service refused for its content (not
// read-only, too large: INVALID_ARGUMENT) into the statement error the
// REPL expects for it; other failures stay failures of the request.
func refusedRead(err error) (*repl.SQLError, bool) {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.InvalidArgument {
		return nil, false
	}
	return &repl.SQLError{Code: 1, Message: st.Message(), Phase: repl.PhaseOther, Offset: -1}, true
}
