package raft

import "sync"

// Lane is a queue of the node's slow work.
type Lane uint8

const (
	// LaneApply runs the work on the state machine that must follow the
	// log: applying committed entries and syncing before a compaction.
	// Its pieces run one at a time, in the order given.
	LaneApply Lane = iota
	// LaneSnapshot runs the writing and streaming of outgoing snapshots.
	// Its pieces may run at the same time as each other and as
	// LaneApply's.
	LaneSnapshot
	// LaneSync runs the fsync of a leader's log writes (AsyncLogStore),
	// one at a time; it may run at the same time as the other lanes.
	LaneSync
)

// Work is a piece of the node's slow work. It runs off the node's step
// function and returns what the step function must do with its outcome.
type Work func() Continuation

// Continuation runs on the node's step function once its Work is done;
// an error stops the node.
type Continuation func() error

// Executor runs the node's slow work, so that the step function never
// waits on it: heartbeats and votes keep flowing while a large entry
// applies or a snapshot is copied. A Node started by StartNode runs work
// on goroutines of its own; the deterministic simulator (raft/sim) gives
// a Stepper an Executor that runs each piece at a virtual time it picks
// and hands the continuation to Stepper.Complete.
type Executor interface {
	Run(lane Lane, w Work)
}

// goExecutor is StartNode's Executor: LaneApply on one goroutine fed by a
// queue the node goroutine never blocks on, each LaneSnapshot (and
// LaneSync) piece on a goroutine of its own. Continuations go to the node goroutine through
// contc until stop is closed (the node goroutine exited).
type goExecutor struct {
	applyq *workQueue
	contc  chan Continuation
	stop   chan struct{}
	// applyWG waits for the apply goroutine, snapWG for snapshot work.
	applyWG, snapWG sync.WaitGroup
}

func newGoExecutor() *goExecutor {
	e := &goExecutor{applyq: newWorkQueue(), contc: make(chan Continuation, 16), stop: make(chan struct{})}
	e.applyWG.Add(1)
	go e.runApply()
	return e
}

func (e *goExecutor) Run(lane Lane, w Work) {
	if lane == LaneApply {
		e.applyq.push(w)
		return
	}
	e.snapWG.Add(1)
	go func() {
		defer e.snapWG.Done()
		e.deliver(w())
	}()
}

// runApply is the apply goroutine: it runs LaneApply's work in order
// until the node goroutine exits.
func (e *goExecutor) runApply() {
	defer e.applyWG.Done()
	for {
		w, ok := e.applyq.pop(e.stop)
		if !ok {
			return
		}
		if !e.deliver(w()) {
			return
		}
	}
}

// deliver hands c to the node goroutine; false once it exited.
func (e *goExecutor) deliver(c Continuation) bool {
	select {
	case e.contc <- c:
		return true
	case <-e.stop:
		return false
	}
}

// close stops the apply goroutine after the work it is running; snapshot
// work still running ends with its context (Node.Stop waits for it).
func (e *goExecutor) close() {
	close(e.stop)
	e.applyWG.Wait()
}

// workQueue is the unbounded FIFO between the node goroutine, which never
// blocks on it, and the apply goroutine. The node bounds its length
// (NodeConfig.MaxApplyBacklogEntries and MaxApplyBacklogBytes).
type workQueue struct {
	mu   sync.Mutex
	work []Work
	wake chan struct{}
}

func newWorkQueue() *workQueue { return &workQueue{wake: make(chan struct{}, 1)} }

func (q *workQueue) push(w Work) {
	q.mu.Lock()
	q.work = append(q.work, w)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop waits for the next piece of work; false once stop is closed.
func (q *workQueue) pop(stop <-chan struct{}) (Work, bool) {
	for {
		q.mu.Lock()
		if len(q.work) > 0 {
			w := q.work[0]
			q.work[0] = nil
			q.work = q.work[1:]
			q.mu.Unlock()
			return w, true
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-stop:
			return nil, false
		}
	}
}
