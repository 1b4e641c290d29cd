package remote

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
)

// pipeline is a repl.Pipeline over one of the service's bidirectional
// Session streams: requests go out as they are submitted and replies come
// back in submission order.
//
// The service makes a read wait for the session's earlier writes, but not
// keep later writes from applying before the read runs. So that a read
// sees exactly the writes before it, as the same input run one statement
// at a time would, a write that follows a read is held back until every
// read sent before it has been answered (and everything submitted after
// it waits behind it); a streamed read is answered by its first chunk,
// which the node sends once the read's transaction is open (later writes
// cannot change what it reads), not by its last. Writes still stream
// without waiting for each other, and reads without waiting for each
// other.
type pipeline struct {
	ctx     context.Context
	session *client.Session

	mu   sync.Mutex
	cond *sync.Cond
	// held are requests submitted but not yet sent, in order.
	held []pending
	// sent are the requests sent whose replies the pump has not yet
	// received, in order; readsOut counts the reads among them.
	sent     []pending
	readsOut int
	// replies are received replies not yet returned by Next, in order;
	// unanswered counts submitted requests Next has not returned.
	replies    []repl.Reply
	unanswered int
	broken     error
	pumpDone   chan struct{}
}

// pending is one submitted request.
type pending struct {
	req  client.Request
	read bool
	// n is the number of statements of a write.
	n int
}

// Pipeline implements repl.Client.
func (c *Client) Pipeline(ctx context.Context) (repl.Pipeline, error) {
	s, err := c.rpc.Session(ctx)
	if err != nil {
		return nil, mapError(ctx, err)
	}
	p := &pipeline{ctx: ctx, session: s, pumpDone: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	go p.pump()
	return p, nil
}

// Submit implements repl.Pipeline.
func (p *pipeline) Submit(req repl.Request) error {
	var it pending
	if req.Read {
		it = pending{req: client.Request{Read: req.Query, Params: paramsToRPC(req.Params), Level: consistencyToRPC(req.Level), Stream: req.Stream}, read: true, n: 1}
	} else {
		if len(req.Entry.Statements) == 0 {
			return errors.New("an entry needs at least one statement")
		}
		if !req.Entry.Block && len(req.Entry.Statements) > 1 {
			return errors.New("a pipelined entry that is not a block holds one statement")
		}
		it = pending{req: client.Request{Write: statementsToRPC(req.Entry)}, n: len(req.Entry.Statements)}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.broken != nil {
		return fmt.Errorf("session broke: %w", p.broken)
	}
	p.held = append(p.held, it)
	p.unanswered++
	p.flush()
	return nil
}

// flush sends held requests in order, stopping at a write while a read is
// unanswered. Called with p.mu held.
func (p *pipeline) flush() {
	for len(p.held) > 0 && p.broken == nil {
		it := p.held[0]
		if !it.read && p.readsOut > 0 {
			return
		}
		p.held = p.held[1:]
		if err := p.session.Submit(it.req); err != nil {
			// The pump sees the stream's end and fails what is pending;
			// this request and those held behind it were not sent.
			p.held = append([]pending{it}, p.held...)
			p.breakWith(mapError(p.ctx, err))
			return
		}
		p.sent = append(p.sent, it)
		if it.read {
			p.readsOut++
		}
	}
}

// pump receives the session's replies in order, converts them, and sends
// what was held back once the reads before it are answered.
func (p *pipeline) pump() {
	defer close(p.pumpDone)
	for {
		r, err := p.session.Next()
		p.mu.Lock()
		if err != nil {
			p.breakWith(mapError(p.ctx, err))
			p.mu.Unlock()
			return
		}
		if len(p.sent) == 0 {
			p.breakWith(errors.New("the node sent a reply to no request"))
			p.mu.Unlock()
			return
		}
		it := p.sent[0]
		p.sent = p.sent[1:]
		p.replies = append(p.replies, replyToREPL(p.ctx, r, it))
		if it.read {
			p.readsOut--
			p.flush()
		}
		p.cond.Broadcast()
		p.mu.Unlock()
	}
}

// breakWith records that the session cannot go on; requests never sent
// fail with a message that says so (they were not applied). Called with
// p.mu held.
func (p *pipeline) breakWith(err error) {
	if p.broken == nil {
		p.broken = err
	}
	p.cond.Broadcast()
}

// replyToREPL converts the reply to it.
func replyToREPL(ctx context.Context, r client.Reply, it pending) repl.Reply {
	switch {
	case r.Err != nil && it.read:
		if e, ok := refusedRead(r.Err); ok {
			return repl.Reply{Results: []repl.Result{{Err: e}}}
		}
		return repl.Reply{Err: mapError(ctx, r.Err)}
	case r.Err != nil:
		return repl.Reply{Err: mapError(ctx, r.Err)}
	case r.ReadErr != nil:
		return repl.Reply{Results: []repl.Result{{Err: sqlErrorToREPL(r.ReadErr)}}}
	case r.Rows != nil:
		return repl.Reply{Results: []repl.Result{rowsToResult(r.Rows)}}
	case r.Stream != nil:
		return repl.Reply{Results: []repl.Result{streamToResult(ctx, r.Stream)}}
	case r.Write != nil:
		return repl.Reply{Results: execResultsToREPL(r.Write, it.n)}
	}
	return repl.Reply{Err: errors.New("the node sent an empty reply")}
}

// Next implements repl.Pipeline.
func (p *pipeline) Next() (repl.Reply, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unanswered == 0 {
		return repl.Reply{}, errors.New("no request is waiting for a reply")
	}
	for len(p.replies) == 0 {
		if p.broken != nil {
			select {
			case <-p.pumpDone:
			default:
				// The pump may still be answering sent requests.
				p.cond.Wait()
				continue
			}
			if len(p.sent) > 0 {
				// Sent but never answered: the session's own failure
				// reply covered them; nothing more will come.
				p.sent = p.sent[1:]
				p.unanswered--
				return repl.Reply{Err: p.broken}, nil
			}
			if len(p.held) > 0 {
				p.held = p.held[1:]
				p.unanswered--
				return repl.Reply{Err: fmt.Errorf("not sent (nothing applied): %w", p.broken)}, nil
			}
			return repl.Reply{}, p.broken
		}
		p.cond.Wait()
	}
	r := p.replies[0]
	p.replies = p.replies[1:]
	p.unanswered--
	return r, nil
}

// Close implements repl.Pipeline: requests without a reply are
// abandoned.
func (p *pipeline) Close() error {
	err := p.session.Close()
	<-p.pumpDone
	return err
}
