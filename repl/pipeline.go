package repl

import (
	"context"
	"fmt"
)

// pendingItem is work whose output is printed in input order: a request
// waiting for its reply (req non-nil), or output that must follow the
// replies queued before it.
type pendingItem struct {
	req    *Request
	finish func(Reply)
}

// maxInFlight bounds how many pipelined requests wait for replies before
// the oldest is collected and printed.
const maxInFlight = 512

// pipelining reports whether requests may be sent before earlier replies
// have come back: batch input, with .bail and .timer off (bail must stop
// before anything after a failure is applied; the timer times each group),
// and an .import's rows, at the prompt too (a failed row does not stop
// an .import, and the command is timed as a whole).
func (s *Shell) pipelining() bool {
	if s.opts.NoPipeline {
		return false
	}
	return s.importing || !s.opts.Interactive && !s.bail && !s.timer
}

// emit runs fn now if nothing is queued, or after the queued replies.
func (s *Shell) emit(fn func()) {
	if len(s.queue) == 0 {
		fn()
		return
	}
	s.queue = append(s.queue, pendingItem{finish: func(Reply) { fn() }})
}

// send delivers req and hands its reply to finish, in input order: at
// once when not pipelining, else after the replies to earlier requests.
func (s *Shell) send(ctx context.Context, req Request, finish func(Reply)) {
	if !s.pipelining() {
		s.drain()
		s.closePipeline()
		finish(s.roundTrip(ctx, req))
		return
	}
	if s.pipe == nil {
		pipe, err := s.client.Pipeline(ctx)
		if err != nil {
			s.drain()
			finish(Reply{Err: fmt.Errorf("open pipeline: %w", err)})
			return
		}
		s.pipe = pipe
	}
	if err := s.pipe.Submit(req); err != nil {
		s.drain()
		s.closePipeline()
		finish(Reply{Err: fmt.Errorf("send: %w", err)})
		return
	}
	s.queue = append(s.queue, pendingItem{req: &req, finish: finish})
	s.inFlight++
	if s.inFlight > maxInFlight {
		s.collectOldest()
	}
}

// roundTrip sends one request and waits for its reply.
func (s *Shell) roundTrip(ctx context.Context, req Request) Reply {
	if sc, ok := s.client.(StreamingClient); ok && req.Read && req.Stream {
		r, err := sc.QueryStream(ctx, req.Query, req.Level, req.Params...)
		if err != nil {
			return Reply{Err: err}
		}
		return Reply{Results: []Result{r}}
	}
	if req.Read {
		r, err := s.client.Query(ctx, req.Query, req.Level, req.Params...)
		if err != nil {
			return Reply{Err: err}
		}
		return Reply{Results: []Result{r}}
	}
	rs, err := s.client.Execute(ctx, req.Entry)
	return Reply{Results: rs, Err: err}
}

// collectOldest prints queued items up to and including the oldest
// request.
func (s *Shell) collectOldest() {
	for len(s.queue) > 0 {
		it := s.queue[0]
		s.queue = s.queue[1:]
		s.finishItem(it)
		if it.req != nil {
			return
		}
	}
}

func (s *Shell) finishItem(it pendingItem) {
	if it.req == nil {
		it.finish(Reply{})
		return
	}
	s.inFlight--
	reply, err := s.pipe.Next()
	if err != nil {
		reply = Reply{Err: fmt.Errorf("receive: %w", err)}
	}
	it.finish(reply)
}

// drain waits for every queued reply and prints everything queued, then
// closes output files that are no longer current.
func (s *Shell) drain() {
	for len(s.queue) > 0 {
		s.collectOldest()
	}
	for _, f := range s.toClose {
		f.Close()
	}
	s.toClose = nil
}

// closePipeline ends the pipeline, if one is open; it must be drained.
func (s *Shell) closePipeline() {
	if s.pipe != nil {
		s.pipe.Close()
		s.pipe = nil
	}
}
