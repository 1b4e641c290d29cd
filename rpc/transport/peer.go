package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/raftpb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// peer is the sending side towards one member: a bounded queue drained by
// one goroutine that writes batches to a long-lived Replicate stream, in
// queue order.
type peer struct {
	t      *Transport
	id     raft.NodeID
	addr   string
	conn   *grpc.ClientConn
	client raftpb.RaftClient
	queue  chan raft.Message
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	stream       raftpb.Raft_ReplicateClient
	streamCancel context.CancelFunc
	backoff      time.Duration
	pauseUntil   time.Time
	// lost is set once messages were lost and the node was told; a
	// successful write clears it.
	lost atomic.Bool
	// heard is set when a message from the peer arrived while it was
	// lost: it is up again, so the pause after the failed sends ends.
	heard atomic.Bool
	// queuedBytes is the entry payload held in queue.
	queuedBytes atomic.Int64
	// counters count the bytes sent (Transport.PeerStats).
	counters *peerCounters
}

// payloadSize is what a message counts against QueueBytes: its entries'
// data plus a fixed overhead per message and entry.
func payloadSize(m raft.Message) int64 {
	n := int64(64 + len(m.Context))
	for _, e := range m.Entries {
		n += int64(32 + len(e.Data))
	}
	return n
}

// newPeer dials m lazily (the connection is made on first use and remade by
// gRPC with backoff) and starts its sending goroutine.
func newPeer(t *Transport, m raft.Member) (*peer, error) {
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 50 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: t.cfg.MaxBackoff},
			MinConnectTimeout: time.Second,
		}),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 5 * time.Second, Timeout: 5 * time.Second, PermitWithoutStream: true}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(sqlval.MaxMessageSize), grpc.MaxCallSendMsgSize(sqlval.MaxMessageSize)),
	}, t.cfg.DialOptions...)
	conn, err := grpc.NewClient(m.Addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("rpc: dial peer %d at %q: %w", m.ID, m.Addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &peer{
		t: t, id: m.ID, addr: m.Addr, conn: conn, client: raftpb.NewRaftClient(conn),
		queue: make(chan raft.Message, t.cfg.QueueSize), ctx: ctx, cancel: cancel, done: make(chan struct{}),
	}
	p.counters = t.stats.of(m.ID)
	go p.run()
	return p, nil
}

// enqueue queues m unless the queue is full, in which case m is dropped.
func (p *peer) enqueue(m raft.Message) {
	size := payloadSize(m)
	if p.queuedBytes.Add(size) > p.t.cfg.QueueBytes && len(p.queue) > 0 {
		p.queuedBytes.Add(-size)
		p.markLost()
		return
	}
	select {
	case p.queue <- m:
	default:
		p.queuedBytes.Add(-size)
		p.markLost()
	}
}

// dequeued releases m's share of QueueBytes.
func (p *peer) dequeued(m raft.Message) { p.queuedBytes.Add(-payloadSize(m)) }

// markLost tells the node, once per outage, that messages to the peer are
// being lost, so a leader falls back to probing it.
func (p *peer) markLost() {
	if p.lost.CompareAndSwap(false, true) {
		p.t.reportUnreachable(p.id)
	}
}

// heardFrom ends the pause after failed sends, and gRPC's reconnect
// backoff, once the peer was heard from: a restarted node (often the new
// leader, handed leadership by a stopping one) is reached at once.
func (p *peer) heardFrom() {
	if p.lost.Load() && !p.heard.Swap(true) {
		p.conn.ResetConnectBackoff()
	}
}

// resumeWait bounds the wait for the connection to a peer heard from
// again: it is up, but gRPC may still hold the failure of its last
// attempt, which a new stream would get at once.
const resumeWait = 500 * time.Millisecond

// resume ends the pause after failed sends and waits, up to resumeWait,
// for the connection to be remade (heardFrom reset its backoff).
func (p *peer) resume() {
	p.pauseUntil, p.backoff = time.Time{}, 0
	ctx, cancel := context.WithTimeout(p.ctx, resumeWait)
	defer cancel()
	p.conn.Connect()
	for st := p.conn.GetState(); st != connectivity.Ready && st != connectivity.Shutdown; st = p.conn.GetState() {
		if !p.conn.WaitForStateChange(ctx, st) {
			return
		}
	}
}

// stop ends the goroutine, the stream and the connection, and waits.
func (p *peer) stop() {
	p.cancel()
	<-p.done
	p.conn.Close()
}

// run drains the queue in batches until stopped.
func (p *peer) run() {
	defer close(p.done)
	defer p.closeStream()
	batch := make([]raft.Message, 0, p.t.cfg.MaxBatchMessages)
	for {
		select {
		case <-p.ctx.Done():
			return
		case m := <-p.queue:
			p.dequeued(m)
			batch = append(batch[:0], m)
		}
	drain:
		for len(batch) < p.t.cfg.MaxBatchMessages {
			select {
			case m := <-p.queue:
				p.dequeued(m)
				batch = append(batch, m)
			default:
				break drain
			}
		}
		if p.heard.Swap(false) {
			p.resume()
		}
		if time.Now().Before(p.pauseUntil) {
			p.markLost()
			continue // backing off after a failure: drop, as Raft tolerates
		}
		p.sendBatch(batch)
	}
}

// sendBatch sends msgs in order, as stream writes of at most
// MaxBatchBytes each.
func (p *peer) sendBatch(msgs []raft.Message) {
	var pending []*raftpb.RaftMessage
	size := 0
	for _, m := range msgs {
		pm, err := messageToProto(m, p.t.cfg.ClusterID)
		if err != nil {
			p.t.cfg.Logger.Error("dropping message that cannot be encoded", "peer", p.id, "err", err)
			continue
		}
		n := proto.Size(pm)
		if len(pending) > 0 && size+n > p.t.cfg.MaxBatchBytes {
			if p.write(&raftpb.MessageBatch{Messages: pending}) != nil {
				return
			}
			pending, size = nil, 0
		}
		pending = append(pending, pm)
		size += n
	}
	if len(pending) > 0 {
		p.write(&raftpb.MessageBatch{Messages: pending})
	}
}

// write sends one batch on the stream, opening it first if needed. A
// batch whose stream, opened earlier, broke (UNAVAILABLE; not a refusal
// by the peer) is sent once more on a new stream at once: the peer may
// have restarted since (its old stream fails on the first send), and the
// batch would be lost for nothing. On failure
// the peer pauses for a backoff that doubles up to MaxBackoff.
func (p *peer) write(b *raftpb.MessageBatch) error {
	reused := p.stream != nil
	err := p.writeOnce(b)
	if err != nil && reused && status.Code(err) == codes.Unavailable {
		err = p.writeOnce(b)
	}
	if err != nil {
		p.fail(err)
		return err
	}
	p.backoff = 0
	p.lost.Store(false)
	p.counters.sent.Add(uint64(proto.Size(b)))
	return nil
}

// writeOnce sends b on the stream, opened first if needed (again if the
// connection broke since); on failure the stream is discarded.
func (p *peer) writeOnce(b *raftpb.MessageBatch) error {
	if p.stream != nil && p.conn.GetState() != connectivity.Ready {
		// The connection broke since the stream opened: the stream is
		// dead, though a send on it may not say so.
		p.closeStream()
	}
	if p.stream == nil {
		ctx, cancel := context.WithCancel(p.ctx)
		s, err := p.client.Replicate(ctx)
		if err != nil {
			cancel()
			return fmt.Errorf("open stream: %w", err)
		}
		p.stream, p.streamCancel = s, cancel
	}
	if err := p.stream.Send(b); err != nil {
		if errors.Is(err, io.EOF) {
			// The server ended the stream; its status says why.
			_, err = p.stream.CloseAndRecv()
		}
		p.closeStream()
		return fmt.Errorf("send batch: %w", err)
	}
	return nil
}

// fail records a failed send and pauses the peer.
func (p *peer) fail(err error) {
	if p.backoff == 0 {
		p.backoff = p.t.cfg.MinBackoff
	} else {
		p.backoff = min(2*p.backoff, p.t.cfg.MaxBackoff)
	}
	p.pauseUntil = time.Now().Add(p.backoff)
	p.markLost()
	p.t.reportRefusal(p.id, err)
	if p.ctx.Err() == nil {
		p.t.cfg.Logger.Debug("send to peer failed", "peer", p.id, "addr", p.addr, "backoff", p.backoff, "err", err)
	}
}

// closeStream ends the current stream, if any.
func (p *peer) closeStream() {
	if p.stream != nil {
		p.streamCancel()
		p.stream, p.streamCancel = nil, nil
	}
}
