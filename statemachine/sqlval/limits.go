package sqlval

// MaxMessageSize is the largest gRPC message a ReSqlite process sends or
// accepts, on the Raft transport and on the client service alike (and so
// the largest a client sends or accepts): the documented limits of
// rpc/resqlite.proto (entries, chunks) stay well under it.
const MaxMessageSize = 64 << 20

// Limits of one write, checked by the node that receives it (before
// anything is proposed) and by the Go client (before it gives a session
// write its sequence number, so that a refusal cannot leave a gap in the
// session's numbers).
const (
	// MaxStatementBytes is the largest SQL text of one statement.
	MaxStatementBytes = 1 << 20
	// MaxEntryBytes is the largest encoded entry (all statements and
	// parameters of one write).
	MaxEntryBytes = 4 << 20
)
