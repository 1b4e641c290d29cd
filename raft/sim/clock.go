package sim

import (
	"container/heap"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// eventKind says what an event does when its time comes.
type eventKind uint8

const (
	evTick      eventKind = iota // a node's clock ticks
	evDeliver                    // a message reaches its destination
	evPersisted                  // a node's fsync in flight completes
	evFunc                       // a scheduled action of the scenario
)

// event is one entry of the virtual clock's queue.
type event struct {
	at    time.Duration
	seq   uint64 // tie-break: events at the same instant run in scheduling order
	kind  eventKind
	node  raft.NodeID
	epoch uint64 // the node incarnation the event belongs to (ticks, fsyncs)
	msg   raft.Message
	snap  []byte // the data of a MsgSnap
	fn    func()
}

// eventQueue is a min-heap of events ordered by (at, seq).
type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

// clock is the simulation's virtual time and its pending events.
type clock struct {
	now   time.Duration
	seq   uint64
	queue eventQueue
}

func (c *clock) schedule(e *event) {
	c.seq++
	e.seq = c.seq
	heap.Push(&c.queue, e)
}

func (c *clock) peek() *event {
	if len(c.queue) == 0 {
		return nil
	}
	return c.queue[0]
}

func (c *clock) pop() *event {
	e := heap.Pop(&c.queue).(*event)
	c.now = e.at
	return e
}
