package remote

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestValueToREPLKeepsStorageClass(t *testing.T) {
	cases := []struct {
		in   client.Value
		want repl.Value
	}{
		{sqlval.Null(), repl.Null()},
		{sqlval.Integer(-9223372036854775808), repl.Integer(-9223372036854775808)},
		{sqlval.Real(3.0), repl.Real(3.0)},
		{sqlval.Real(1e20), repl.Real(1e20)},
		{sqlval.Text(""), repl.Text("")},
		{sqlval.Text("héllo\x00x"), repl.Text("héllo\x00x")},
		{sqlval.Blob([]byte{0, 1, 255}), repl.Blob([]byte{0, 1, 255})},
		{sqlval.Blob(nil), repl.Blob([]byte{})},
	}
	for _, c := range cases {
		got := valueToREPL(c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("valueToREPL(%+v) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestSQLErrorToREPL(t *testing.T) {
	cases := []struct {
		in   client.SQLError
		want repl.SQLError
	}{
		// SQLITE_CONSTRAINT_UNIQUE (2067) prints as the CLI prints it: (19).
		{client.SQLError{Kind: sqlval.ErrorRuntime, Code: 2067, Message: "UNIQUE constraint failed: t.a", Offset: -1},
			repl.SQLError{Code: 19, Message: "UNIQUE constraint failed: t.a", Phase: repl.PhaseRuntime, Offset: -1}},
		{client.SQLError{Kind: sqlval.ErrorParse, Code: 1, Message: `near "frm": syntax error`, Offset: 9},
			repl.SQLError{Code: 1, Message: `near "frm": syntax error`, Phase: repl.PhaseParse, Offset: 9}},
		{client.SQLError{Kind: sqlval.ErrorRejected, Code: 23, Message: "random() is not allowed in a write", Offset: -1},
			repl.SQLError{Code: 23, Message: "random() is not allowed in a write", Phase: repl.PhaseParse, Offset: -1}},
		{client.SQLError{Kind: sqlval.ErrorMalformed, Code: 1, Message: "bad entry", Offset: -7},
			repl.SQLError{Code: 1, Message: "bad entry", Phase: repl.PhaseOther, Offset: -1}},
	}
	for _, c := range cases {
		got := sqlErrorToREPL(&c.in)
		if *got != c.want {
			t.Errorf("sqlErrorToREPL(%+v) = %+v, want %+v", c.in, *got, c.want)
		}
	}
	if sqlErrorToREPL(nil) != nil {
		t.Error("nil error converted to non-nil")
	}
}

func TestExecResultsPutTheErrorAtTheFailingStatement(t *testing.T) {
	ok := client.StatementResult{RowsAffected: 1, LastInsertRowID: 7}
	rows := client.StatementResult{Columns: []string{"a"}, Rows: [][]client.Value{{sqlval.Integer(1)}}}
	fail := &client.SQLError{Kind: sqlval.ErrorRuntime, Code: 19, Message: "boom", Statement: 2, Offset: -1}

	got := execResultsToREPL(&client.ExecResult{Statements: []client.StatementResult{ok, rows}}, 2)
	if len(got) != 2 || got[0].RowsAffected != 1 || got[0].LastInsertRowID != 7 || got[1].Columns[0] != "a" || !reflect.DeepEqual(got[1].Rows[0][0], repl.Integer(1)) {
		t.Fatalf("success: %+v", got)
	}
	got = execResultsToREPL(&client.ExecResult{Statements: []client.StatementResult{ok, ok}, Err: fail}, 4)
	if len(got) != 3 || got[2].Err == nil || got[2].Err.Message != "boom" || got[0].Err != nil || got[1].Err != nil {
		t.Fatalf("failure at statement 2: %+v", got)
	}
	// A pre-check refusal reports no results before the failing statement.
	got = execResultsToREPL(&client.ExecResult{Err: fail}, 3)
	if len(got) != 3 || got[2].Err == nil {
		t.Fatalf("refusal at statement 2: %+v", got)
	}
	// A statement index beyond the entry is pinned to its last statement.
	got = execResultsToREPL(&client.ExecResult{Err: &client.SQLError{Statement: 9}}, 2)
	if len(got) != 2 || got[1].Err == nil {
		t.Fatalf("out-of-range index: %+v", got)
	}
}

func TestMembersAndStatus(t *testing.T) {
	st := &resqlitepb.StatusResponse{
		Id: 2, Address: "b:1", Role: "pre-candidate", Term: 5, LeaderId: 1, LeaderAddress: "a:1", CommitIndex: 10, AppliedIndex: 9,
		Members: []*resqlitepb.Member{
			{Id: 1, Address: "a:1", MatchIndex: 10, RecentActive: true, LastContactMs: 0},
			{Id: 2, Address: "b:1", MatchIndex: 4, LastContactMs: -1},
			{Id: 3, Address: "c:1", Learner: true, MatchIndex: 2, RecentActive: true, LastContactMs: 1500},
		},
	}
	got := statusToREPL(st)
	want := repl.Status{NodeID: 2, Address: "b:1", Role: "candidate", Term: 5, LeaderID: 1, LeaderAddress: "a:1", CommitIndex: 10, AppliedIndex: 9,
		Members: []repl.Member{
			{ID: 1, Address: "a:1", Role: "leader", Voter: true, Reachable: true, MatchIndex: 10},
			{ID: 2, Address: "b:1", Role: "follower", Voter: true, MatchIndex: 4, LastContact: -1},
			{ID: 3, Address: "c:1", Role: "learner", Reachable: true, MatchIndex: 2, LastContact: 1500 * time.Millisecond},
		}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statusToREPL:\n got %+v\nwant %+v", got, want)
	}
}

func TestConsistencyToRPC(t *testing.T) {
	for in, want := range map[repl.Consistency]client.Consistency{
		repl.Linearizable: client.Linearizable, repl.Lease: client.Lease, repl.Local: client.Local,
	} {
		if got := consistencyToRPC(in); got != want {
			t.Errorf("consistencyToRPC(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestMapError(t *testing.T) {
	bg := context.Background()
	if mapError(bg, nil) != nil {
		t.Fatal("nil error mapped to non-nil")
	}
	unknown := fmt.Errorf("%w: leadership lost", client.ErrOutcomeUnknown)
	err := mapError(bg, unknown)
	if !errors.Is(err, repl.ErrOutcomeUnknown) || !errors.Is(err, client.ErrOutcomeUnknown) {
		t.Errorf("unknown outcome not recognisable: %v", err)
	}
	if err.Error() != "write outcome unknown: leadership lost" {
		t.Errorf("unknown outcome text %q", err)
	}
	err = mapError(bg, status.Error(codes.Unavailable, "no leader within 5s"))
	if errors.Is(err, repl.ErrOutcomeUnknown) {
		t.Error("an unavailable node is not an unknown outcome: nothing was proposed")
	}
	if err.Error() != "unavailable: no leader within 5s" {
		t.Errorf("unavailable text %q", err)
	}
	if got := mapError(bg, status.Error(codes.DeadlineExceeded, "read index not confirmed")).Error(); got != "timed out: read index not confirmed" {
		t.Errorf("deadline text %q", got)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	err = mapError(ctx, status.Error(codes.Canceled, "context canceled"))
	if !errors.Is(err, context.Canceled) || err.Error() != "interrupted" {
		t.Errorf("cancelled request: %v (is canceled %v)", err, errors.Is(err, context.Canceled))
	}
}

// A write sent again whose first result was too large to keep says so,
// instead of printing nothing as if its statements returned no rows.
func TestNotRetainedResultSaysSo(t *testing.T) {
	got := execResultsToREPL(&client.ExecResult{Index: 42, Repeat: true, NotRetained: true}, 2)
	if len(got) != 1 || got[0].Err == nil || !strings.Contains(got[0].Err.Message, "too large to keep") || !strings.Contains(got[0].Err.Message, "entry 42") {
		t.Fatalf("not-retained result: %+v", got)
	}
}

// TestPackedToREPLKeepsStorageClass: rows decoded straight from a packed
// chunk are the REPL values rowsToREPL makes of the same rows, and a
// malformed chunk is an error.
func TestPackedToREPLKeepsStorageClass(t *testing.T) {
	rows := [][]client.Value{
		{sqlval.Null(), sqlval.Integer(-9223372036854775808), sqlval.Real(1e20), sqlval.Text("héllo\x00x\xff")},
		{sqlval.Blob(nil), sqlval.Blob([]byte{0, 1, 255}), sqlval.Text(""), sqlval.Real(-0.25)},
	}
	got, err := packedToREPL(rowpack.Encode(4, rows), unpacked{})
	if err != nil {
		t.Fatal(err)
	}
	if want := rowsToREPL(rows); !reflect.DeepEqual(got.rows, want) {
		t.Errorf("packed rows decoded as %+v, want %+v", got.rows, want)
	}
	// Decoded again into the first decoding's memory.
	again, err := packedToREPL(rowpack.Encode(4, rows[1:]), got)
	if err != nil || &again.cells[0] != &got.cells[0] || !reflect.DeepEqual(again.rows, rowsToREPL(rows[1:])) {
		t.Errorf("decoded into spare memory: %+v, %v", again.rows, err)
	}
	if _, err := packedToREPL([]byte{rowpack.Version, 1, 0, 0, 0, 1}, unpacked{}); !errors.Is(err, rowpack.ErrMalformed) {
		t.Errorf("a cut chunk: %v", err)
	}
}
