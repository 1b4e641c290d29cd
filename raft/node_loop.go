package raft

import (
	"fmt"
	"time"
)

// maxEventsPerReady bounds the events the node goroutine takes in before
// it handles a Ready, so proposals and messages arriving together share
// one write and one round of messages.
const maxEventsPerReady = 512

// eventKind says what an event brings the node.
type eventKind uint8

const (
	evTick       eventKind = iota // one tick of the clock
	evMessage                     // a peer's message (msg)
	evRequest                     // a caller's request (req), run on the node goroutine
	evSnapshotIn                  // a snapshot received from the leader (in)
	evDone                        // slow work finished (done: its continuation)
)

// event is one input of the node's step function.
type event struct {
	kind eventKind
	msg  Message
	req  func()
	in   *incomingSnapshot
	done Continuation
}

// run is the node goroutine: a thin shell that gathers events and hands
// them to handle.
func (n *Node) run() {
	defer n.exit()
	ticker := time.NewTicker(n.cfg.TickInterval)
	defer ticker.Stop()
	if err := n.processReady(); err != nil {
		n.setErr(err)
		return
	}
	batch := make([]event, 0, maxEventsPerReady+1)
	for {
		batch = batch[:0]
		select {
		case <-n.stopc:
			return
		case <-ticker.C:
			batch = append(batch, event{kind: evTick})
		case m := <-n.recvc:
			batch = append(batch, event{kind: evMessage, msg: m})
		case f := <-n.reqc:
			batch = append(batch, event{kind: evRequest, req: f})
		case in := <-n.snapInc:
			batch = append(batch, event{kind: evSnapshotIn, in: in})
		case c := <-n.goexec.contc:
			batch = append(batch, event{kind: evDone, done: c})
		}
		batch = n.drain(batch)
		if err := n.handle(batch); err != nil {
			n.setErr(err)
			return
		}
	}
}

// drain adds the messages and requests already waiting, without
// blocking.
func (n *Node) drain(batch []event) []event {
	for range maxEventsPerReady {
		select {
		case m := <-n.recvc:
			batch = append(batch, event{kind: evMessage, msg: m})
		case f := <-n.reqc:
			batch = append(batch, event{kind: evRequest, req: f})
		default:
			return batch
		}
	}
	return batch
}

// handle is the node's step function: it takes events in order, then
// carries out the Readys they produced. It never waits: the slow work
// (applying entries, syncing the state machine, writing an outgoing
// snapshot) goes to the Executor and comes back as events (evDone). A
// Stepper runs the same handleEvent and processReady.
func (n *Node) handle(evs []event) error {
	for _, ev := range evs {
		if err := n.handleEvent(ev); err != nil {
			return err
		}
	}
	return n.processReady()
}

func (n *Node) handleEvent(ev event) error {
	switch ev.kind {
	case evTick:
		n.core.Tick()
	case evMessage:
		n.step(ev.msg)
	case evRequest:
		ev.req()
	case evSnapshotIn:
		return n.snapshotArrived(ev.in)
	case evDone:
		return ev.done()
	}
	return nil
}

// step hands a peer's message to the core.
func (n *Node) step(m Message) {
	if m.From != None && m.From != n.cfg.ID {
		n.lastHeard[m.From] = n.cfg.Clock.Now()
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

// exit stops the apply goroutine (after the job it is running) and
// resolves what waits on the node goroutine.
func (n *Node) exit() {
	n.goexec.close()
	err := n.stoppedErr()
	n.dropProposals(0, func(uint64) error { return err })
	if n.installing != nil {
		n.installing.done <- err
		n.installing = nil
	}
	if n.parkedSnap != nil {
		n.parkedSnap.done <- err
		n.parkedSnap = nil
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
//     HardState and entries durable (one fsync; none for a commit-only
//     HardState, Ready.MustSync);
//  4. only now send every other message, so a vote or an acknowledgment
//     never leaves before what it promises is durable;
//  5. answer read states, hand committed entries (durable now) to the
//     apply goroutine, Advance. Committed entries that an earlier Ready
//     made durable are handed over before step 3, so they apply while
//     this Ready's entries are fsynced.
//
// A leader whose store is an AsyncLogStore writes its entries in step 3
// without waiting for their fsync, which runs on LaneSync while the node
// goes on (node_persist.go): the Ready's other messages, and committed
// entries not yet durable here, wait for it, and the core counts the
// leader's own entries toward commit only once it completed.
//
// While the apply backlog is full, or a received snapshot waits for it to
// drain, the core holds committed entries back (Core.PauseApply).
func (n *Node) processReady() error {
	for {
		n.core.PauseApply(n.applyHeld())
		n.core.LimitApply(n.applyRoom())
		if !n.core.HasReady() || n.holdWrites() {
			n.updateCommittedConfiguration()
			return nil
		}
		rd := n.core.Ready()
		early, late := splitMessages(rd)
		async := n.writesAsync(rd)
		if !async && n.mustDrain(rd, late) {
			if err := n.syncNow(); err != nil {
				return err
			}
		}
		if rd.SoftState != nil {
			n.softStateChanged(*rd.SoftState)
		}
		if rd.Configuration != nil {
			n.cfg.Transport.SetMembers(*rd.Configuration)
		}
		n.send(early)
		if async {
			if err := n.writeAsync(rd, late); err != nil {
				return err
			}
			continue
		}
		if !rd.Snapshot.IsEmpty() {
			if err := n.installSnapshot(rd.Snapshot); err != nil {
				return err
			}
			n.durableIndex = rd.Snapshot.Index
		}
		n.commitQ.add(rd.CommittedEntries)
		n.handOverDurable(firstNew(rd))
		if err := n.persist(rd); err != nil {
			return err
		}
		if rd.HardState.Term != 0 {
			n.termChanged(rd.HardState.Term)
		}
		n.send(late)
		n.answerReads(rd.ReadStates)
		n.handOverDurable(0)
		n.core.Advance(rd)
		if err := n.core.Err(); err != nil {
			return fmt.Errorf("raft: node %d: core: %w", n.cfg.ID, err)
		}
	}
}

// termChanged publishes the durable term; a candidate that moved to a new
// term started an election (paper §5.2).
func (n *Node) termChanged(term uint64) {
	if n.role == RoleCandidate && term > n.term.Load() {
		n.counters.elections.Add(1)
	}
	n.term.Store(term)
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
// role resolves its pending proposals that were not handed over for
// applying (those were committed: applying them resolves them): their
// outcome is unknown. Pending reads are woken to be made again: the
// leader they went to dropped them, or will not answer as leader.
func (n *Node) softStateChanged(s SoftState) {
	if n.role == RoleLeader && s.Role != RoleLeader {
		n.dropProposals(n.handedOver, func(idx uint64) error { return fmt.Errorf("entry %d: %w", idx, ErrLeadershipLost) })
	}
	n.logRoleChange(s)
	if s.Lead != None && uint64(s.Lead) != n.lead.Load() {
		n.counters.leaderChanges.Add(1)
	}
	n.role = s.Role
	n.lead.Store(uint64(s.Lead))
	n.isLead.Store(s.Role == RoleLeader)
	n.mu.Lock()
	close(n.leadCh)
	n.leadCh = make(chan struct{})
	n.mu.Unlock()
	n.cfg.Logger.Debug("role changed", "node", uint64(n.cfg.ID), "role", s.Role.String(), "leader", uint64(s.Lead))
}

// logRoleChange logs, at info level, this node losing leadership (the
// core logs becoming the leader), before n.role takes s.Role.
func (n *Node) logRoleChange(s SoftState) {
	if s.Role != RoleLeader && n.role == RoleLeader {
		n.cfg.Logger.Info("lost leadership", "node", uint64(n.cfg.ID), "term", n.core.Term(),
			"role", s.Role.String(), "leader", uint64(s.Lead))
	}
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
