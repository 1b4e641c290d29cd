package service

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc"
)

// Limits of the service, as documented in resqlite.proto. Requests over
// them are refused with INVALID_ARGUMENT before anything is proposed.
const (
	// MaxStatementBytes is the largest SQL text of one statement.
	MaxStatementBytes = sqlval.MaxStatementBytes
	// MaxEntryBytes is the largest encoded entry (all statements and
	// parameters of one Execute or Session write).
	MaxEntryBytes = sqlval.MaxEntryBytes
	// ChunkBytes is the approximate size of one Dump chunk.
	ChunkBytes = 1 << 20
	// QueryChunkBytes bounds one chunk of a streamed read; the first
	// chunk, which tells the client that the read transaction is open, is
	// smaller (FirstChunkBytes). Packed rows are cut by their exact size
	// only, so wide and narrow rows alike fill a chunk; rows sent as Row
	// messages (a client that did not ask for packed rows) are cut by an
	// estimate of their size or by count (QueryChunkRows,
	// FirstChunkRows), whichever is reached first.
	QueryChunkBytes = 64 << 10
	QueryChunkRows  = 4096
	FirstChunkBytes = 16 << 10
	FirstChunkRows  = 256
	// MaxSessionInFlight bounds the requests of one Session that wait for
	// their result; the session stops reading requests until one resolves.
	MaxSessionInFlight = 4096
)

// Default waits of the service.
const (
	// DefaultLeaderWait is how long a membership change or a leadership
	// transfer waits for a leader to be known.
	DefaultLeaderWait = 5 * time.Second
	// DefaultRequestTimeout is the deadline of a request whose caller set
	// none: until then a write waits for a leader (and re-targets when the
	// leader changes) before it fails with UNAVAILABLE.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultReadTimeout bounds the consistency check of a linearizable or
	// lease read (and the wait for a session's index): an isolated node
	// refuses the read with DEADLINE_EXCEEDED after it.
	DefaultReadTimeout = 3 * time.Second
	// DefaultStreamIdleLimit is how long a streamed read waits for its
	// client to take the next chunk before it is cancelled: an open read
	// transaction keeps SQLite from checkpointing the WAL past it.
	DefaultStreamIdleLimit = time.Minute
)

// Config is what a Server is built from.
type Config struct {
	// Node is the local Raft node. Required.
	Node *raft.Node
	// State is the local SQLite state machine the node applies to.
	// Required.
	State *statemachine.StateMachine
	// ClusterID is reported by Status (a joining node needs it).
	ClusterID uint64
	// Addr is this node's own address, as peers reach it.
	Addr string
	// LeaderWait, RequestTimeout and ReadTimeout default to
	// DefaultLeaderWait, DefaultRequestTimeout and DefaultReadTimeout.
	LeaderWait     time.Duration
	RequestTimeout time.Duration
	ReadTimeout    time.Duration
	// StreamIdleLimit defaults to DefaultStreamIdleLimit.
	StreamIdleLimit time.Duration
	// QueryTimeout bounds each read statement this node runs (a Query,
	// a read of a Session) from when it starts on the database; 0: none
	// (the caller's deadline still applies).
	QueryTimeout time.Duration
	// DialOptions are added when dialing the leader to forward requests.
	DialOptions []grpc.DialOption
	// Logger receives service events; nil discards them.
	Logger *slog.Logger
}

// Server implements the ReSqlite gRPC service for one node.
type Server struct {
	resqlitepb.UnimplementedReSqliteServer
	cfg Config
	log *slog.Logger

	mu    sync.Mutex
	conns map[string]*grpc.ClientConn
	done  bool
}

// New returns the service for cfg.Node.
func New(cfg Config) (*Server, error) {
	if cfg.Node == nil || cfg.State == nil {
		return nil, fmt.Errorf("server: config needs a node and a state machine")
	}
	if cfg.LeaderWait <= 0 {
		cfg.LeaderWait = DefaultLeaderWait
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.StreamIdleLimit <= 0 {
		cfg.StreamIdleLimit = DefaultStreamIdleLimit
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, log: log, conns: map[string]*grpc.ClientConn{}}, nil
}

// Register serves the ReSqlite service on g.
func (s *Server) Register(g grpc.ServiceRegistrar) {
	resqlitepb.RegisterReSqliteServer(g, s)
}

// Close closes the connections used to forward requests to the leader.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	for addr, c := range s.conns {
		c.Close()
		delete(s.conns, addr)
	}
	return nil
}
