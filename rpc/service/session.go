package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// slot is one request of a session waiting for its response. Responses
// are sent in the order slots were created.
type slot struct {
	seq  uint64
	done chan struct{}
	resp *resqlitepb.SessionResponse

	// stream, for a chunked read, carries its responses instead of resp
	// (closed after the last); started is closed when the sender reaches
	// the slot.
	stream  chan *resqlitepb.SessionResponse
	started chan struct{}

	// repeatable marks a session write (client id and seq): sending it
	// again cannot apply it twice.
	repeatable bool

	// For writes: index is the entry's log index once applied (0 if it
	// failed or is unknown); settled is closed once this write and every
	// earlier write of the session resolved, maxIndex is then the highest
	// index among them.
	index    uint64
	settled  chan struct{}
	maxIndex uint64
	// prev is the session's previous write until sl settles.
	prev *slot
}

func newSlot(seq uint64) *slot {
	return &slot{seq: seq, done: make(chan struct{})}
}

// write resolves the slot with a write's outcome.
func (sl *slot) write(resp *resqlitepb.ExecuteResponse, err error) {
	if err != nil {
		sl.fail(err)
		return
	}
	sl.index = resp.GetIndex()
	sl.resp = &resqlitepb.SessionResponse{Seq: sl.seq, Outcome: &resqlitepb.SessionResponse_Write{Write: resp}}
	close(sl.done)
	sl.settle()
}

// fail resolves the slot with a failure of the whole request.
func (sl *slot) fail(err error) {
	st := status.Convert(err)
	sl.resp = &resqlitepb.SessionResponse{Seq: sl.seq, Outcome: &resqlitepb.SessionResponse_Failure{
		Failure: &resqlitepb.RequestError{Code: int32(st.Code()), Message: st.Message()},
	}}
	close(sl.done)
	sl.settle()
}

// chain makes sl's settled channel close once sl and prev (the session's
// previous write, or nil) are settled (see settle).
func (sl *slot) chain(prev *slot) {
	sl.settled = make(chan struct{})
	sl.prev = prev
}

// settle closes the settled channel of a write slot that just resolved,
// at once when the session's previous write settled already (writes
// mostly resolve in order), else once it does; a read's slot has none.
func (sl *slot) settle() {
	if sl.settled == nil {
		return
	}
	prev := sl.prev
	sl.prev = nil
	if prev == nil {
		sl.maxIndex = sl.index
		close(sl.settled)
		return
	}
	finish := func() {
		sl.maxIndex = max(prev.maxIndex, sl.index)
		close(sl.settled)
	}
	select {
	case <-prev.settled:
		finish()
	default:
		go func() {
			<-prev.settled
			finish()
		}()
	}
}

// maxBatch bounds the requests a session takes in at once; the writes
// among them are proposed together, sharing one log write.
const maxBatch = 256

// Session pipelines a session's requests; see resqlite.proto. Writes are
// proposed (or forwarded over one stream to the leader) in request order
// without waiting for earlier results, the writes that arrived together
// in one turn of the node; a read waits for the session's earlier writes
// to settle and for this node to apply them, then passes its consistency
// check.
func (s *Server) Session(stream resqlitepb.ReSqlite_SessionServer) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	out := make(chan *slot, MaxSessionInFlight)
	sendErr := make(chan error, 1)
	sending := &atomic.Int64{}
	go func() { sendErr <- sendInOrder(ctx, stream, out, sending) }()
	reqs := make(chan *resqlitepb.SessionRequest, maxBatch)
	var recvErr error
	go func() {
		defer close(reqs)
		for {
			req, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					recvErr = err
				}
				return
			}
			select {
			case reqs <- req:
			case <-ctx.Done():
				return
			}
		}
	}()

	sess := &session{s: s, out: out, sending: sending}
	defer sess.closeUpstream()
	for open := true; open; {
		var batch []*resqlitepb.SessionRequest
		select {
		case req, ok := <-reqs:
			if !ok {
				open = false
				break
			}
			batch = append(batch, req)
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	drain:
		for open && len(batch) < maxBatch {
			select {
			case req, ok := <-reqs:
				if !ok {
					open = false
					break drain
				}
				batch = append(batch, req)
			default:
				break drain
			}
		}
		if err := sess.handle(ctx, batch); err != nil {
			return err
		}
	}
	close(out)
	if err := <-sendErr; err != nil {
		return err
	}
	return recvErr
}

// sendInOrder sends each slot's response once it resolves, in order.
// sending holds when the send under way started (Unix ns; 0 while none
// is): a send that does not end is a client that takes nothing.
func sendInOrder(ctx context.Context, stream resqlitepb.ReSqlite_SessionServer, out <-chan *slot, sending *atomic.Int64) error {
	send := func(resp *resqlitepb.SessionResponse) error {
		sending.Store(time.Now().UnixNano())
		defer sending.Store(0)
		return stream.Send(resp)
	}
	for {
		var sl *slot
		select {
		case next, ok := <-out:
			if !ok {
				return nil
			}
			sl = next
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
		if err := sendSlot(ctx, sl, send); err != nil {
			return err
		}
	}
}

// sendSlot sends sl's response once it resolves, or a chunked read's
// responses as they come.
func sendSlot(ctx context.Context, sl *slot, send func(*resqlitepb.SessionResponse) error) error {
	if sl.stream == nil {
		select {
		case <-sl.done:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
		return send(sl.resp)
	}
	close(sl.started)
	for {
		select {
		case resp, ok := <-sl.stream:
			if !ok {
				return nil
			}
			if err := send(resp); err != nil {
				return err
			}
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

// session is the state of one Session call.
type session struct {
	s         *Server
	out       chan *slot
	up        *upstream
	retired   []*upstream
	lastWrite *slot
	// sending is when the response being sent started to be (Unix ns;
	// 0 while none is).
	sending *atomic.Int64
	// lastRead is closed when the session's latest chunked read has
	// stepped its statement to the end: chunked reads run one after the
	// other (see readChunked).
	lastRead chan struct{}
}

// pendingWrite is a checked write waiting to be proposed.
type pendingWrite struct {
	sl   *slot
	req  *resqlitepb.ExecuteRequest
	data []byte
}

// handle queues a batch of requests' slots in order, starts the reads and
// proposes the writes together.
func (sess *session) handle(ctx context.Context, batch []*resqlitepb.SessionRequest) error {
	var writes []pendingWrite
	for _, req := range batch {
		sl := newSlot(req.GetSeq())
		if req.GetRead().GetChunked() {
			sl.stream = make(chan *resqlitepb.SessionResponse, 1)
			sl.started = make(chan struct{})
		}
		select {
		case sess.out <- sl:
		default:
			// The queue of unanswered requests is full: propose what is
			// checked, so that it can drain, then wait for room.
			sess.propose(ctx, writes)
			writes = nil
			select {
			case sess.out <- sl:
			case <-ctx.Done():
				return status.FromContextError(ctx.Err()).Err()
			}
		}
		switch op := req.GetOp().(type) {
		case *resqlitepb.SessionRequest_Write:
			sl.chain(sess.lastWrite)
			sess.lastWrite = sl
			// A session write is not pre-checked: with later writes of
			// its session in flight, a refusal before the log would leave
			// its sequence number unused and them refused as out of
			// order. Apply judges it by the same rules and records the
			// refusal as its result. (Execute pre-checks: its client
			// sends one write at a time and reuses an unused number.)
			data, rejected, err := sess.s.prepareWrite(ctx, op.Write, op.Write.GetClientId() == 0)
			if err != nil || rejected != nil {
				sl.write(rejected, err)
				continue
			}
			sl.repeatable = op.Write.GetClientId() != 0
			writes = append(writes, pendingWrite{sl: sl, req: op.Write, data: data})
		case *resqlitepb.SessionRequest_Read:
			if sl.stream != nil {
				prev, done := sess.lastRead, make(chan struct{})
				sess.lastRead = done
				go sess.readChunked(ctx, sl, op.Read, sess.lastWrite, prev, done)
				continue
			}
			go sess.read(ctx, sl, op.Read, sess.lastWrite)
		default:
			sl.fail(status.Error(codes.InvalidArgument, "session request holds neither a write nor a read"))
		}
	}
	sess.propose(ctx, writes)
	return nil
}

// propose appends writes to the log in one batch when this node leads
// (or they were forwarded to it), else forwards them in order over the
// session's upstream. It does not wait for the writes to apply. When this
// node becomes the leader while it looks for one, it proposes the rest
// itself.
func (sess *session) propose(ctx context.Context, writes []pendingWrite) {
	for attempt := 0; len(writes) > 0; attempt++ {
		if sess.s.cfg.Node.IsLeader() || writes[0].req.GetForwarded() {
			writes = sess.proposeHere(ctx, writes)
		}
		writes = sess.forward(ctx, writes, attempt < 3)
	}
}

// proposeHere proposes writes as one batch and resolves each slot when
// its entry applies. It returns the writes left when this node turned out
// not to lead (to forward them); other refusals fail the writes.
func (sess *session) proposeHere(ctx context.Context, writes []pendingWrite) []pendingWrite {
	s := sess.s
	forwarded := writes[0].req.GetForwarded()
	data := make([][]byte, len(writes))
	for i, w := range writes {
		data[i] = w.data
	}
	fs, err := s.cfg.Node.ProposeBatch(ctx, data)
	proposed := writes[:len(fs)]
	go func() {
		for i, f := range fs {
			proposed[i].sl.write(s.await(ctx, f, forwarded))
		}
	}()
	writes = writes[len(fs):]
	if err == nil {
		return nil
	}
	var nl *raft.NotLeaderError
	if !forwarded && errors.As(err, &nl) {
		return writes
	}
	perr := notProposed(err, forwarded)
	if errors.As(err, &nl) {
		perr = status.Errorf(codes.FailedPrecondition, "node %d is not the leader (it knows leader %d); nothing was proposed", s.cfg.Node.ID(), nl.Leader)
	}
	for _, w := range writes {
		w.sl.fail(perr)
	}
	return nil
}

// forward sends writes in order over the session's upstream to the
// leader. It returns the writes left when this node became the leader
// meanwhile (to propose them itself, if retry is set).
func (sess *session) forward(ctx context.Context, writes []pendingWrite, retry bool) []pendingWrite {
	for i, w := range writes {
		up, err := sess.upstream(ctx)
		if errors.Is(err, errLeaderIsSelf) && retry {
			return writes[i:]
		}
		if errors.Is(err, errLeaderIsSelf) {
			err = status.Error(codes.Unavailable, "leadership keeps moving; nothing was proposed")
		}
		if err != nil {
			w.sl.fail(err)
			continue
		}
		fwd := &resqlitepb.ExecuteRequest{
			Statements: w.req.GetStatements(), MinIndex: w.req.GetMinIndex(), Forwarded: true,
			ClientId: w.req.GetClientId(), WriteSeq: w.req.GetWriteSeq(), AckedSeq: w.req.GetAckedSeq(),
		}
		up.send(w.sl, fwd)
	}
	return nil
}

// afterWrites returns req to be served once the session's earlier writes
// settled (at least at the highest index among them), waiting for them.
func afterWrites(ctx context.Context, req *resqlitepb.QueryRequest, lastWrite *slot) (*resqlitepb.QueryRequest, error) {
	minIndex := req.GetMinIndex()
	if lastWrite != nil {
		select {
		case <-lastWrite.settled:
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		minIndex = max(minIndex, lastWrite.maxIndex)
	}
	return &resqlitepb.QueryRequest{Sql: req.GetSql(), Params: req.GetParams(), Consistency: req.GetConsistency(), MinIndex: minIndex, Packed: req.GetPacked()}, nil
}

// read serves a read once the session's earlier writes settled.
func (sess *session) read(ctx context.Context, sl *slot, req *resqlitepb.QueryRequest, lastWrite *slot) {
	q, err := afterWrites(ctx, req, lastWrite)
	if err != nil {
		sl.fail(err)
		return
	}
	rows, applied, sqlErr, err := sess.s.read(ctx, q)
	if err != nil {
		sl.fail(err)
		return
	}
	resp := &resqlitepb.QueryResponse{AppliedIndex: applied, Error: sqlErr}
	if rows != nil {
		resp.Columns = wire.Bytes(rows.Columns)
		setRows(resp, q.GetPacked(), len(rows.Columns), rows.Rows)
	}
	sl.resp = &resqlitepb.SessionResponse{Seq: sl.seq, Outcome: &resqlitepb.SessionResponse_Read{Read: resp}}
	close(sl.done)
}

// upstream returns the session's stream to the leader, opening a new one
// if there is none or the last one broke.
func (sess *session) upstream(ctx context.Context) (*upstream, error) {
	if sess.up != nil && !sess.up.isBroken() {
		if !sess.up.isStale() && sess.up.leader == sess.s.cfg.Node.Leader() {
			return sess.up, nil
		}
		// Its node stopped leading: writes still pending on it get their
		// answers there; new writes go to the current leader.
		sess.retired = append(sess.retired, sess.up)
		sess.up = nil
	}
	sess.closeUpstream()
	var up *upstream
	// Not repeatable: the stream must outlive the attempt that opens it.
	err := sess.s.forward(ctx, false, func(ctx context.Context, c resqlitepb.ReSqliteClient) error {
		uctx, cancel := context.WithCancel(ctx)
		stream, err := c.Session(uctx)
		if err != nil {
			cancel()
			return err
		}
		up = newUpstream(stream, cancel)
		return nil
	})
	if errors.Is(err, errLeaderIsSelf) {
		return nil, err
	}
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "cannot open a stream to the leader, nothing proposed: %v", status.Convert(err).Message())
	}
	up.leader = sess.s.cfg.Node.Leader()
	go up.watchLeader(sess.s)
	sess.up = up
	return up, nil
}

// closeUpstream ends the session's stream to the leader, if any, and
// the retired ones.
func (sess *session) closeUpstream() {
	if sess.up != nil {
		sess.up.close()
		sess.up = nil
	}
	for _, up := range sess.retired {
		up.close()
	}
	sess.retired = nil
}

// upstream is a Session stream from a follower to the leader that
// carries a session's forwarded writes in order.
type upstream struct {
	stream resqlitepb.ReSqlite_SessionClient
	cancel context.CancelFunc
	// leader is the node the stream goes to, as Raft named it.
	leader raft.NodeID

	mu      sync.Mutex
	pending []*slot
	broken  error
	stale   bool // the node answered that it is not the leader
	done    chan struct{}
}

func newUpstream(stream resqlitepb.ReSqlite_SessionClient, cancel context.CancelFunc) *upstream {
	up := &upstream{stream: stream, cancel: cancel, done: make(chan struct{})}
	go up.receive()
	return up
}

// send forwards one write; its slot resolves when the leader answers.
func (up *upstream) send(sl *slot, req *resqlitepb.ExecuteRequest) {
	up.mu.Lock()
	if up.broken != nil {
		up.mu.Unlock()
		sl.fail(status.Errorf(codes.Unavailable, "stream to the leader broke before the write was sent (%v); nothing proposed", up.broken))
		return
	}
	up.pending = append(up.pending, sl)
	up.mu.Unlock()
	err := up.stream.Send(&resqlitepb.SessionRequest{Seq: sl.seq, Op: &resqlitepb.SessionRequest_Write{Write: req}})
	if err != nil {
		up.fail(err)
	}
}

// receive resolves pending slots with the leader's responses, in order.
func (up *upstream) receive() {
	defer close(up.done)
	for {
		resp, err := up.stream.Recv()
		if err == nil && resp.GetRead() != nil {
			err = errors.New("leader answered a write with a read")
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("leader ended the stream")
			}
			up.fail(err)
			return
		}
		up.mu.Lock()
		if len(up.pending) == 0 {
			up.mu.Unlock()
			up.fail(errors.New("leader sent a response nobody waits for"))
			return
		}
		sl := up.pending[0]
		up.pending = up.pending[1:]
		up.mu.Unlock()
		if f := resp.GetFailure(); f != nil {
			c := codes.Code(f.GetCode())
			if c == codes.FailedPrecondition {
				// The node is no longer the leader and did not propose it.
				c = codes.Unavailable
				up.mu.Lock()
				up.stale = true
				up.mu.Unlock()
			}
			sl.fail(status.Error(c, f.GetMessage()))
			continue
		}
		sl.write(resp.GetWrite(), nil)
	}
}

// fail marks the stream broken: every write sent without an answer has
// an unknown outcome.
func (up *upstream) fail(err error) {
	up.mu.Lock()
	if up.broken == nil {
		up.broken = err
	}
	pending := up.pending
	up.pending = nil
	up.mu.Unlock()
	up.cancel()
	for _, sl := range pending {
		sl.fail(status.Errorf(codes.Aborted, "write outcome unknown: the stream to the leader broke after the write was sent (%v); it may have committed, do not retry it blindly", err))
	}
}

// watchLeader retires the stream as soon as Raft names another leader
// than the one it goes to: new writes go to the new leader; when every
// write still pending on it is repeatable (a session write, which the
// state machine applies once however often it is sent), they fail at once
// as of unknown outcome, for the client to send again, instead of waiting
// on a leader that may be gone.
func (up *upstream) watchLeader(s *Server) {
	ctx, cancel := s.whileLeader(context.Background(), up.leader)
	defer cancel()
	select {
	case <-up.done:
		return
	case <-ctx.Done():
	}
	up.mu.Lock()
	up.stale = true
	repeatable := true
	for _, sl := range up.pending {
		repeatable = repeatable && sl.repeatable
	}
	up.mu.Unlock()
	if repeatable {
		up.fail(fmt.Errorf("node %d stopped leading", up.leader))
	}
}

func (up *upstream) isStale() bool {
	up.mu.Lock()
	defer up.mu.Unlock()
	return up.stale
}

func (up *upstream) isBroken() bool {
	up.mu.Lock()
	defer up.mu.Unlock()
	return up.broken != nil
}

// close ends the stream and waits for its receiver.
func (up *upstream) close() {
	up.stream.CloseSend()
	up.fail(errors.New("session ended"))
	<-up.done
}
