package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// Handler is the local node as the transport's server side sees it.
type Handler interface {
	// Step delivers a message received from a peer. It may block until
	// the node accepts it or ctx ends.
	Step(ctx context.Context, m raft.Message) error
	// ReceiveSnapshot hands the node a snapshot (m.Type == MsgSnap) and
	// its data; data is only valid until ReceiveSnapshot returns.
	ReceiveSnapshot(ctx context.Context, m raft.Message, data io.Reader) error
	// ReportUnreachable tells the node that messages to peer id are not
	// getting through. It must not block.
	ReportUnreachable(id raft.NodeID)
	// ReportRemoved tells the node that peer by refused it because by's
	// latest committed configuration, introduced at log index
	// configIndex, leaves it out. It must not block.
	ReportRemoved(by raft.NodeID, configIndex uint64)
}

// ErrNoHandler is returned to peers while no node is attached.
var ErrNoHandler = errors.New("rpc: no node attached to the transport yet")

// Config configures a Transport. Zero values take the defaults
// named on each field.
type Config struct {
	// ID is the local node's id. Required.
	ID raft.NodeID
	// ClusterID is carried on every message and checked on every message
	// received. Required.
	ClusterID uint64
	// QueueSize and QueueBytes bound the messages queued for one peer,
	// in number and in entry payload bytes; further messages to it are
	// dropped until it drains. Defaults 4096 messages, 64 MiB.
	QueueSize  int
	QueueBytes int64
	// MaxBatchMessages and MaxBatchBytes bound one stream write. Defaults
	// 512 messages and 1 MiB (a single larger message goes alone).
	MaxBatchMessages int
	MaxBatchBytes    int
	// MinBackoff and MaxBackoff bound the pause after a failed send to a
	// peer, during which messages to it are dropped. Defaults 20ms, 1s.
	MinBackoff, MaxBackoff time.Duration
	// SnapshotChunkSize is the data size of one InstallSnapshot chunk.
	// Default 256 KiB.
	SnapshotChunkSize int
	// SnapshotDir is where received snapshots are spooled before they
	// are handed to the node. Default os.TempDir().
	SnapshotDir string
	// DialOptions are added to the transport's own when dialing peers.
	DialOptions []grpc.DialOption
	// Logger receives transport events; nil discards them.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.QueueSize <= 0 {
		c.QueueSize = 4096
	}
	if c.QueueBytes <= 0 {
		c.QueueBytes = 64 << 20
	}
	if c.MaxBatchMessages <= 0 {
		c.MaxBatchMessages = 512
	}
	if c.MaxBatchBytes <= 0 {
		c.MaxBatchBytes = 1 << 20
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 20 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = max(time.Second, c.MinBackoff)
	}
	if c.SnapshotChunkSize <= 0 {
		c.SnapshotChunkSize = 256 << 10
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// ServerOptions returns the gRPC server options the Raft service needs:
// message size limits and keepalive settings matching the transport's
// client side.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(sqlval.MaxMessageSize),
		grpc.MaxSendMsgSize(sqlval.MaxMessageSize),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 5 * time.Second, Timeout: 5 * time.Second}),
	}
}

// Transport implements raft.Transport over gRPC: one long-lived connection
// and one ordered Replicate stream per peer, each fed by a bounded queue
// and its own goroutine, so a slow or dead peer costs only dropped
// messages. Register serves the Raft service for incoming messages.
type Transport struct {
	cfg Config

	handler atomic.Pointer[Handler]

	mu        sync.RWMutex
	members   map[raft.NodeID]raft.Member
	committed committedConfig
	peers     map[raft.NodeID]*peer
	closed    bool

	// stats counts the bytes exchanged with each peer (stats.go).
	stats statsTable
}

// New returns a transport for cfg; it knows no peers until
// SetMembers.
func New(cfg Config) (*Transport, error) {
	if cfg.ID == raft.None {
		return nil, fmt.Errorf("rpc: transport needs a node id")
	}
	if cfg.ClusterID == 0 {
		return nil, fmt.Errorf("rpc: transport needs a cluster id")
	}
	cfg.setDefaults()
	return &Transport{
		cfg:     cfg,
		members: map[raft.NodeID]raft.Member{},
		peers:   map[raft.NodeID]*peer{},
	}, nil
}

// SetHandler attaches the node that incoming messages are delivered to.
func (t *Transport) SetHandler(h Handler) {
	t.handler.Store(&h)
}

// currentHandler returns the attached node, or nil. It takes no lock, so
// it is safe from any goroutine, including under t.mu.
func (t *Transport) currentHandler() Handler {
	if h := t.handler.Load(); h != nil {
		return *h
	}
	return nil
}

// SetMembers makes the transport's peers those of c (the local node
// excluded): new members get a connection, removed ones lose theirs, and a
// member whose address changed is redialed. Only members are accepted as
// senders. An empty configuration (a joining node that has not received
// one yet) leaves the members as they are, so such a node can be given
// the existing members to reach and accept messages from.
func (t *Transport) SetMembers(c raft.Configuration) {
	var stale []*peer
	// Stopped outside the lock: a peer's goroutine may be waiting for it.
	defer func() {
		for _, p := range stale {
			p.stop()
		}
	}()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || len(c.Members) == 0 {
		return
	}
	next := make(map[raft.NodeID]raft.Member, len(c.Members))
	for _, m := range c.Members {
		next[m.ID] = m
	}
	for id, p := range t.peers {
		if m, ok := next[id]; !ok || m.Addr != p.addr {
			stale = append(stale, p)
			delete(t.peers, id)
		}
	}
	for id, m := range next {
		if id == t.cfg.ID {
			continue
		}
		if _, ok := t.peers[id]; !ok {
			p, err := newPeer(t, m)
			if err != nil {
				t.cfg.Logger.Warn("cannot create connection to peer", "peer", id, "addr", m.Addr, "err", err)
				continue
			}
			t.peers[id] = p
		}
	}
	t.members = next
}

// Send queues msgs for their peers without blocking: a message to an
// unknown peer or to a peer whose queue is full is dropped.
func (t *Transport) Send(msgs []raft.Message) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, m := range msgs {
		p := t.peers[m.To]
		if p == nil || t.closed {
			continue
		}
		if m.Type == raft.MsgSnap {
			t.cfg.Logger.Warn("MsgSnap handed to Send; snapshots go through SendSnapshot", "peer", m.To)
			continue
		}
		p.enqueue(m)
	}
}

// Close stops every peer's goroutine and connection. Send after Close drops
// everything.
func (t *Transport) Close() error {
	t.mu.Lock()
	peers := t.peers
	t.peers = map[raft.NodeID]*peer{}
	t.closed = true
	t.mu.Unlock()
	for _, p := range peers {
		p.stop()
	}
	return nil
}

// peer returns the peer with id, or nil.
func (t *Transport) peer(id raft.NodeID) *peer {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.peers[id]
}

// heardFrom notes that a stream from peer id opened (see peer.heardFrom).
func (t *Transport) heardFrom(id raft.NodeID) {
	if p := t.peer(id); p != nil {
		p.heardFrom()
	}
}

// deliver hands a message received from a peer to the local node.
func (t *Transport) deliver(ctx context.Context, m raft.Message) error {
	h := t.currentHandler()
	if h == nil {
		return ErrNoHandler
	}
	return h.Step(ctx, m)
}

// reportUnreachable tells the node that messages to id were lost.
func (t *Transport) reportUnreachable(id raft.NodeID) {
	if h := t.currentHandler(); h != nil {
		h.ReportUnreachable(id)
	}
}

// isMember reports whether id is in the current configuration.
func (t *Transport) isMember(id raft.NodeID) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	_, ok := t.members[id]
	return ok
}
