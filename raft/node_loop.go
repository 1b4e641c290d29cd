package raft

import (
	"encoding/binary"
	"fmt"
	"time"
)

// maxEventsPerReady bounds the events the node goroutine takes in before
// it handles a Ready, so proposals and messages arriving together share
// one write and one round of messages.
const maxEventsPerReady = 512

// run is the node goroutine.
func (n *Node) run() {
	defer n.exit()
	ticker := time.NewTicker(n.cfg.TickInterval)
	defer ticker.Stop()
	if err := n.processReady(); err != nil {
		n.setErr(err)
		return
	}
	for {
		select {
		case <-n.stopc:
			return
		case <-ticker.C:
			n.core.Tick()
		case m := <-n.recvc:
			n.step(m)
		case f := <-n.reqc:
			f()
		case in := <-n.snapInc:
			if err := n.receiveSnapshot(in); err != nil {
				n.setErr(err)
				return
			}
		case r := <-n.snapDone:
			n.snapshotSent(r)
		}
		n.drain()
		if err := n.processReady(); err != nil {
			n.setErr(err)
			return
		}
	}
}

// drain takes in the messages and requests already waiting, without
// blocking.
func (n *Node) drain() {
	for range maxEventsPerReady {
		select {
		case m := <-n.recvc:
			n.step(m)
		case f := <-n.reqc:
			f()
		default:
			return
		}
	}
}

// step hands a peer's message to the core.
func (n *Node) step(m Message) {
	if m.From != None && m.From != n.cfg.ID {
		n.lastHeard[m.From] = time.Now()
	}
	if err := n.core.Step(m); err != nil {
		n.cfg.Logger.Debug("message not stepped", "type", m.Type.String(), "from", uint64(m.From), "err", err)
	}
}

// setErr records the fatal error that stops the node.
func (n *Node) setErr(err error) {
	n.cfg.Logger.Error("node stopped by a fatal error", "node", uint64(n.cfg.ID), "err", err)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.err = err
}

// exit resolves what waits on the node goroutine.
func (n *Node) exit() {
	err := n.stoppedErr()
	for idx, f := range n.proposals {
		f.resolve(Result{}, err)
		delete(n.proposals, idx)
	}
	if n.installing != nil {
		n.installing.done <- err
		n.installing = nil
	}
	n.isLead.Store(false)
	close(n.done)
}

// processReady carries out the core's Ready batches until it has none, in
// the order package doc.go requires:
//
//  1. learn the new role and configuration (the transport must know new
//     members before messages to them are sent);
//  2. send the messages only a leader sends (Ready.MaySendBeforePersist)
//     at once: the leader writes its own log in parallel with
//     replicating it (thesis §10.2.1), as the core counts its own
//     entries toward commit only after Advance;
//  3. install a snapshot (state machine first, then the log), then make
//     HardState and entries durable (one fsync);
//  4. only now send every other message, so a vote or an acknowledgment
//     never leaves before what it promises is durable;
//  5. answer read states, apply committed entries, Advance.
func (n *Node) processReady() error {
	for n.core.HasReady() {
		rd := n.core.Ready()
		if rd.SoftState != nil {
			n.softStateChanged(*rd.SoftState)
		}
		if rd.Configuration != nil {
			n.cfg.Transport.SetMembers(*rd.Configuration)
		}
		early, late := splitMessages(rd)
		n.send(early)
		if !rd.Snapshot.IsEmpty() {
			if err := n.installSnapshot(rd.Snapshot); err != nil {
				return err
			}
		}
		if !rd.HardState.IsEmpty() || len(rd.Entries) > 0 {
			if err := n.cfg.Storage.Save(rd.HardState, rd.Entries); err != nil {
				return fmt.Errorf("raft: node %d: persist: %w", n.cfg.ID, err)
			}
		}
		if rd.HardState.Term != 0 {
			n.term.Store(rd.HardState.Term)
		}
		n.send(late)
		n.answerReads(rd.ReadStates)
		if err := n.apply(rd.CommittedEntries); err != nil {
			return err
		}
		n.core.Advance(rd)
		if err := n.core.Err(); err != nil {
			return fmt.Errorf("raft: node %d: core: %w", n.cfg.ID, err)
		}
		if err := n.maybeCompact(); err != nil {
			return err
		}
	}
	return nil
}

// splitMessages separates the messages of rd that may leave before it is
// durable (Ready.MaySendBeforePersist) from the rest, keeping order.
func splitMessages(rd Ready) (early, late []Message) {
	for _, m := range rd.Messages {
		if rd.MaySendBeforePersist(m) {
			early = append(early, m)
		} else {
			late = append(late, m)
		}
	}
	return early, late
}

// softStateChanged records a new role or leader. A leader that loses its
// role resolves its pending proposals: their outcome is unknown.
func (n *Node) softStateChanged(s SoftState) {
	if n.role == RoleLeader && s.Role != RoleLeader {
		for idx, f := range n.proposals {
			f.resolve(Result{}, fmt.Errorf("entry %d: %w", idx, ErrLeadershipLost))
			delete(n.proposals, idx)
		}
	}
	n.role = s.Role
	n.lead.Store(uint64(s.Lead))
	n.isLead.Store(s.Role == RoleLeader)
	n.cfg.Logger.Debug("role changed", "node", uint64(n.cfg.ID), "role", s.Role.String(), "leader", uint64(s.Lead))
}

// send hands messages to the transport; snapshots go to their own
// goroutine.
func (n *Node) send(msgs []Message) {
	if len(msgs) == 0 {
		return
	}
	out := msgs[:0:0]
	for _, m := range msgs {
		if m.Type == MsgSnap {
			n.sendSnapshot(m)
			continue
		}
		out = append(out, m)
	}
	n.cfg.Transport.Send(out)
}

// answerReads hands read states to the ReadIndex calls waiting for them.
func (n *Node) answerReads(rss []ReadState) {
	if len(rss) == 0 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, rs := range rss {
		if len(rs.RequestCtx) != 16 || binary.BigEndian.Uint64(rs.RequestCtx) != n.readNonce {
			continue // not a read of this run of the process
		}
		if ch, ok := n.reads[binary.BigEndian.Uint64(rs.RequestCtx[8:])]; ok {
			select {
			case ch <- rs:
			default:
			}
		}
	}
}

// apply applies committed entries to the state machine and resolves the
// proposals among them. Entries the state machine already holds (it
// restored a snapshot, or recorded them before a crash) are skipped.
func (n *Node) apply(ents []Entry) error {
	n.mu.Lock()
	applied := n.applied
	n.mu.Unlock()
	for len(ents) > 0 && ents[0].Index <= applied {
		ents = ents[1:]
	}
	if len(ents) == 0 {
		return nil
	}
	results, err := n.cfg.StateMachine.Apply(ents)
	if err != nil {
		return fmt.Errorf("raft: node %d: apply entries %d-%d: %w", n.cfg.ID, ents[0].Index, ents[len(ents)-1].Index, err)
	}
	if len(results) != len(ents) {
		return fmt.Errorf("raft: node %d: state machine returned %d results for %d entries", n.cfg.ID, len(results), len(ents))
	}
	for i, e := range ents {
		f, ok := n.proposals[e.Index]
		if !ok {
			continue
		}
		delete(n.proposals, e.Index)
		if e.Term != f.term {
			f.resolve(Result{}, fmt.Errorf("entry %d: %w", e.Index, ErrEntryReplaced))
			continue
		}
		f.resolve(Result{Index: e.Index, Value: results[i]}, nil)
	}
	n.setApplied(ents[len(ents)-1].Index)
	return nil
}

// setApplied publishes a new applied index to WaitApplied callers.
func (n *Node) setApplied(index uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.applied = index
	close(n.appliedCh)
	n.appliedCh = make(chan struct{})
}
