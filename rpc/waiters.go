package rpc

import (
	"sync"

	"github.com/resqlite/resqlite/raft"
)

// replyType maps a request that the Raft service answers synchronously to
// the reply type the node produces for it.
var replyType = map[raft.MessageType]raft.MessageType{
	raft.MsgVote:      raft.MsgVoteResp,
	raft.MsgPreVote:   raft.MsgPreVoteResp,
	raft.MsgApp:       raft.MsgAppResp,
	raft.MsgHeartbeat: raft.MsgHeartbeatResp,
}

// waitKey names a reply a unary call waits for: its type and the peer it
// goes to.
type waitKey struct {
	to raft.NodeID
	t  raft.MessageType
}

// waiters routes the node's replies to the unary calls waiting for them,
// so RequestVote and AppendEntries can answer synchronously although the
// node replies asynchronously through Send.
type waiters struct {
	mu      sync.Mutex
	pending map[waitKey][]chan raft.Message
}

// add registers a wait for the reply of type t to peer to.
func (w *waiters) add(to raft.NodeID, t raft.MessageType) chan raft.Message {
	ch := make(chan raft.Message, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	k := waitKey{to, t}
	w.pending[k] = append(w.pending[k], ch)
	return ch
}

// remove cancels a wait that add registered (a no-op once delivered).
func (w *waiters) remove(to raft.NodeID, t raft.MessageType, ch chan raft.Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := waitKey{to, t}
	list := w.pending[k]
	for i, c := range list {
		if c == ch {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(w.pending, k)
	} else {
		w.pending[k] = list
	}
}

// deliver hands m to the oldest call waiting for it and reports whether
// there was one.
func (w *waiters) deliver(m raft.Message) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := waitKey{m.To, m.Type}
	list := w.pending[k]
	if len(list) == 0 {
		return false
	}
	list[0] <- m
	if len(list) == 1 {
		delete(w.pending, k)
	} else {
		w.pending[k] = list[1:]
	}
	return true
}
