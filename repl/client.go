package repl

import (
	"context"
	"io"
	"time"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Consistency is the freshness a read asks for.
type Consistency uint8

// The read consistency levels, from strongest to weakest.
const (
	// Linearizable reads confirm leadership with a read index round.
	Linearizable Consistency = iota
	// Lease reads trust the leader's lease instead of a round trip.
	Lease
	// Local reads serve this node's database as it is; they may be stale.
	Local
)

// String returns the level's name as the .consistency command spells it.
func (c Consistency) String() string {
	switch c {
	case Linearizable:
		return "linearizable"
	case Lease:
		return "lease"
	case Local:
		return "local"
	}
	return "unknown"
}

// ParseConsistency parses a level name as the .consistency command and the
// -consistency flag accept it.
func ParseConsistency(name string) (Consistency, bool) {
	switch name {
	case "linearizable":
		return Linearizable, true
	case "lease":
		return Lease, true
	case "local":
		return Local, true
	}
	return 0, false
}

// Param is a value bound to one of a statement's parameters, by its name
// as written in the SQL (":a", "@a", "$a", "?3"), or by position when the
// name is "".
type Param struct {
	Name  string
	Value Value
}

// Entry is one unit of work for the replicated log: a single statement, or
// the statements of a BEGIN … COMMIT block, which apply all or nothing.
type Entry struct {
	// Statements are SQL texts, one statement each, in order.
	Statements []string
	// Params, when not nil, holds the parameters of each statement, at
	// the statement's position (nil for a statement without any).
	Params [][]Param
	// Block marks a transaction block: if any statement fails, none of
	// them applies.
	Block bool
}

// Request is one step of a pipelined session: either an Entry to execute
// or a read to run at a consistency level.
type Request struct {
	// Entry is the work when Read is false.
	Entry Entry
	// Read marks a read-only statement, Query is its text.
	Read  bool
	Query string
	// Params are the read's bound parameters.
	Params []Param
	// Level is the read's consistency level.
	Level Consistency
	// Stream asks for the read's rows as they arrive (Result.More), when
	// the client can stream them.
	Stream bool
}

// Reply is the outcome of one Request: one Result per statement that was
// attempted (a failed block ends at the failing statement), or Err when
// the request as a whole failed (not reachable, outcome unknown, …).
type Reply struct {
	Results []Result
	Err     error
}

// Pipeline carries a session's requests in order without waiting for each
// result: Submit may be called again before Next returns the earlier
// result. Replies come back in submission order.
type Pipeline interface {
	// Submit queues a request. It does not wait for the result.
	Submit(req Request) error
	// Next returns the reply to the oldest request not yet answered.
	Next() (Reply, error)
	// Close ends the pipeline; requests without a reply are abandoned.
	Close() error
}

// Client is what the REPL needs from the cluster. repl/remote.Client
// implements it over rpc/client; the REPL's tests use a local test double.
//
// A Client is one session: it carries the highest log index its writes
// have reached and has every later request served after that index is
// applied, so a session always reads its own writes. Errors that SQLite
// reports for a statement are Results with Err set; a returned error
// means the request as a whole failed (no leader, unreachable node,
// cancelled context, or an unknown outcome).
type Client interface {
	// Execute applies one entry and returns one Result per statement
	// attempted. A returned error means the entry as a whole failed; it
	// wraps ErrOutcomeUnknown when the entry may have been committed.
	Execute(ctx context.Context, e Entry) ([]Result, error)
	// Query runs one read-only statement at the given consistency level.
	// A statement that is not read-only must fail (as a Result error),
	// never be applied outside the log.
	Query(ctx context.Context, sql string, level Consistency, params ...Param) (Result, error)
	// Pipeline opens an ordered, pipelined session for batch input:
	// writes are proposed without waiting for earlier ones to commit, and
	// a read waits only for the session's earlier writes.
	Pipeline(ctx context.Context) (Pipeline, error)
	// Status describes the node the client talks to.
	Status(ctx context.Context) (Status, error)
	// Members lists the cluster's members as the leader sees them.
	Members(ctx context.Context) ([]Member, error)
	// TakeSnapshot makes the node snapshot its state now and returns the
	// log index the snapshot covers.
	TakeSnapshot(ctx context.Context) (uint64, error)
	// TransferLeadership asks the leader to hand over to node to (0: let
	// the leader choose) and returns the new leader's id.
	TransferLeadership(ctx context.Context, to uint64) (uint64, error)
	// RemoveMember removes a node from the cluster configuration.
	RemoveMember(ctx context.Context, id uint64) error
	// Dump writes to w SQL text that rebuilds the database (or only the
	// objects matching opts.Tables), read at one applied index, as the
	// CLI's .dump with opts writes it: PRAGMA foreign_keys=OFF; BEGIN
	// TRANSACTION; … COMMIT;
	Dump(ctx context.Context, w io.Writer, opts sqlval.DumpOptions) error
}

// Status is one node's view of the cluster.
type Status struct {
	NodeID  uint64
	Address string
	// Role is "leader", "follower", "candidate" or "learner".
	Role string
	Term uint64
	// LeaderID is 0 when the node knows no leader.
	LeaderID      uint64
	LeaderAddress string
	CommitIndex   uint64
	AppliedIndex  uint64
	Members       []Member
}

// Member is one node of the cluster configuration, as the leader sees it.
type Member struct {
	ID      uint64
	Address string
	// Role is "leader", "follower", "learner" or, as the leader sees it,
	// "unreachable" (not heard from for an election timeout).
	Role  string
	Voter bool
	// Reachable reports that the leader heard from it recently.
	Reachable bool
	// MatchIndex is the highest log index known to be replicated on it.
	MatchIndex uint64
	// LastContact is how long ago the leader last heard from it; negative
	// when it has not heard from it since it started.
	LastContact time.Duration
}
