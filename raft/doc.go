// Package raft is ReSqlite's own implementation of the Raft consensus
// algorithm (Ongaro and Ousterhout, "In Search of an Understandable
// Consensus Algorithm", 2014, cited as "paper §N"; Ongaro's dissertation
// "Consensus: Bridging Theory and Practice", 2014, cited as "thesis §N").
// It owns the deterministic consensus core (Core), the in-memory log store
// (MemoryStorage), the interfaces it needs from the rest of the system
// (Storage, LogStore, StateMachine, Transport), and the node driver that
// ties them together. It imports nothing else from ReSqlite.
//
// # The core
//
// Core is a pure state machine: no goroutines, no clock, no I/O, no
// randomness of its own (Config.Rand is a seeded source). Its inputs are
//
//   - Tick: one unit of logical time. Elections time out after a random
//     number of ticks in [ElectionTick, 2*ElectionTick); a leader
//     heartbeats every HeartbeatTick ticks.
//   - Step(m): a message received from a peer. Malformed messages return
//     ErrInvalidMessage and change nothing; messages from nodes outside
//     the configuration are ignored where they matter (a leader ignores
//     responses and read requests from non-members).
//   - Propose(data): append an entry (leader only; ErrProposalDropped
//     otherwise or during a leadership transfer). It returns the entry's
//     index and term; the proposal committed iff the entry later applied
//     at that index has that term.
//   - ProposeConfChange(cc): a single-server membership change.
//   - ReadIndex(ctx): a linearizable read (answered by a ReadState);
//     ReadIndexLease(ctx): the same, answered from the leader's lease when
//     Config.LeaseRead is on and the lease is valid.
//   - TransferLeader(id): hand leadership to a voter.
//   - ReportSnapshot(id, failed), ReportUnreachable(id), ReportRemoved(by,
//     index): transport news.
//
// Its output is a Ready batch, fetched when HasReady is true. Status (and
// Role, Term, Lead, Committed, Applied, LastIndex, Configuration,
// LeaseValid) report the node's state, with per-member replication
// progress on the leader; SnapshotMeta describes a local snapshot.
// Err reports a Storage failure that stopped the core.
//
// # The Ready/Advance contract
//
// A driver owns the core from one goroutine and loops:
//
//	for core.HasReady() {
//		rd := core.Ready()
//		// 1. If rd.Snapshot is not empty: restore the state machine from
//		//    the snapshot data the transport received with the MsgSnap,
//		//    then LogStore.ApplySnapshot(rd.Snapshot).
//		// 2. LogStore.Save(rd.HardState, rd.Entries), fsynced when
//		//    rd.MustSync (a commit-only HardState may be written lazily).
//		// 3. Send rd.Messages (MsgSnap through Transport.SendSnapshot,
//		//    then ReportSnapshot).
//		// 4. Apply rd.CommittedEntries in order; hand rd.ReadStates to
//		//    the waiting readers (each may be served once the state
//		//    machine has applied its Index).
//		core.Advance(rd)
//	}
//
// Durability rules:
//
//   - Messages leave only after the Snapshot, HardState and Entries of
//     the same Ready are durable. This is what makes a vote durable
//     before it is granted (MsgVoteResp), a term durable before any
//     message of that term, and entries durable before a follower
//     acknowledges them (MsgAppResp).
//   - Exception (thesis §10.2.1): the messages for which
//     rd.MaySendBeforePersist(m) is true — MsgApp, MsgHeartbeat, MsgSnap,
//     MsgTimeoutNow and MsgReadIndexResp, which only a leader sends, in a
//     Ready that does not change term or vote — may be sent before or
//     while the same Ready is persisted. This is safe because the leader
//     counts its own log toward the commit quorum only for entries that
//     Advance has reported durable, and its term is already durable. (A
//     single-voter cluster elects itself within one Ready, so its first
//     MsgApp to a learner waits for the new term to be durable.)
//   - CommittedEntries are applied only after the Entries of the same
//     Ready are durable (a committed entry may be in both).
//   - Between Ready and Advance the driver may keep calling Step, Tick,
//     Propose and the other inputs, but must not call Ready again.
//
// A driver may instead hand CommittedEntries (durable, in order) to
// another goroutine that applies them, and Advance at once, as Node does:
// Applied then means handed out, the driver tracks what was really
// applied, must let that goroutine drain before it installs a snapshot,
// and bounds its backlog with PauseApply, which holds committed entries
// back while everything else flows.
//
// Node is such a driver. Its goroutine is a thin shell around a step
// function (handle: take a batch of input, then carry out the Readys it
// produced) that never waits on slow work: applying entries, syncing the
// state machine and writing or streaming outgoing snapshots go to an
// Executor (LaneApply in log order, LaneSnapshot alongside), and their
// continuations come back to the step function as input. Stepper exposes
// the same step function without goroutines; the simulator (raft/sim)
// drives it, with an Executor that runs the work in virtual time.
//
// Advance(rd) acknowledges that everything in rd was done: the snapshot is
// installed (the applied index becomes its index), the entries are durable
// (on a leader they now count toward commit), and the committed entries
// were applied (Applied moves to the last of them).
//
// # Bootstrap and restart
//
// A founding member of a new cluster passes Config.Peers listing every
// founding member (all with the same list), on its first start and on
// every restart: the bootstrap configuration is not written to the log,
// so it is used for as long as Storage holds no configuration. A node
// joining an existing cluster starts with empty Storage and no Peers; it
// is added by ProposeConfChange on the leader and receives the log (or a
// snapshot), which gives it its configuration. A restarted node passes its
// Storage and Config.Applied = StateMachine.AppliedIndex(): the core
// restores term, vote and log from Storage, rebuilds the configuration
// from the snapshot and the configuration entries of the log (Peers is
// then ignored), takes commit = max(stored commit, Applied) and delivers
// committed entries after Applied. Applied must not precede the storage's
// snapshot (restore the state machine from it first), nor pass the log's
// last index.
//
// The node driver installs a received snapshot in the state machine
// (Restore, then Sync) before it records it in the log
// (LogStore.ApplySnapshot), so a crash in between leaves a state machine
// ahead of its log. StartNode repairs that before it builds the core
// (node_reconcile.go): when the state machine is an AppliedStateReporter
// that knows the term of its applied entry, its applied index, that term
// and its configuration are recorded as the log's snapshot. A state
// machine that does not know the term (a database from before it was
// recorded, nothing applied since) is refused, as NewCore would. Syncer's
// Sync before every compaction keeps the state machine from falling behind
// the log's snapshot after a power loss.
//
// # Reads
//
// ReadIndex implements thesis §6.4: the leader records its commit index,
// confirms its leadership with a heartbeat round started after the request,
// and emits a ReadState; a new leader answers only after it has committed
// an entry of its own term. The leader keeps one read round in flight:
// requests that arrive while it is out share the next round, started once
// it is confirmed (or by the next heartbeat tick). A follower forwards the
// requests to the leader (MsgReadIndex) and gets the ReadState back, one
// request in flight at a time: the reads it takes in meanwhile go as one
// batch when the answer comes (or after two heartbeat timeouts). Node
// shares one request among the concurrent ReadIndex calls that began
// before it was handed to the core. Requests pending when
// leadership changes are dropped; Node makes them again as soon as it
// sees the role or the leader change (else after an election timeout
// without an answer).
//
// With Config.LeaseRead (which requires CheckQuorum) the leader answers
// ReadIndexLease requests from its lease without a round (thesis §6.4.1);
// a follower marks its request with Message.Lease, so it costs one round
// trip to the leader. ReadIndex always takes a round.
//
// Leases and the vote refusal that backs them are measured in monotonic
// time (Config.Clock), never in ticks: a driver that stalls (a long apply,
// an fsync, a GC pause, SIGSTOP) misses ticks, and a lease counted in
// ticks would outlive the promise it rests on. A voter grants no vote or
// pre-vote while it heard from a leader within the minimum election
// timeout E = ElectionTick*TickInterval on its own clock, whatever the
// term of the request or the term it moved to since (a late higher-term
// reply that is not a vote clears its leader but not this promise); only
// the MsgVote of a leadership transfer is exempt, and the leader forfeits
// its lease before it sends MsgTimeoutNow. A voter that restarts grants no
// vote for E. The leader's lease ends LeaseDuration(E) =
// E*(1-MaxClockDrift)/(1+MaxClockDrift) (about 0.82E) after the heartbeat
// round a quorum acknowledged was sent, on the leader's clock. The
// acknowledging voters received that round after it was sent, so they
// refuse votes for at least E/(1+MaxClockDrift) of real time from then,
// while the lease lasts at most LeaseDuration(E)/(1-MaxClockDrift): no
// other leader can be elected while it holds, as long as every node's
// monotonic clock runs within MaxClockDrift (10%) of real time. Clock
// steps (NTP, settimeofday) do not matter; a machine whose monotonic clock
// stops while others run on (a suspended VM) breaks the assumption. A
// leader transferring leadership serves no lease reads (and, once it has
// sent MsgTimeoutNow, none for the rest of its term).
//
// # Snapshots and compaction
//
// The driver snapshots when it likes: StateMachine.Snapshot reports index
// i, Core.SnapshotMeta(i) gives the metadata (term and configuration at
// i), LogStore.CreateSnapshot records it, and LogStore.Compact(i+1-tail)
// discards the log before it while keeping tail entries for slow
// followers. A follower whose next entry was compacted gets a MsgSnap
// whose data the driver streams with Transport.SendSnapshot.
//
// # Membership
//
// One server at a time (thesis §4.1): add a voter, add a learner, promote
// a caught-up learner, remove a member. A configuration takes effect on
// each server when its entry reaches that server's log and is rolled back
// if the entry is truncated. A leader proposes a change only after it has
// committed an entry of its term and while no change is uncommitted (the
// 2015 correction). A leader that removes itself keeps leading until the
// change commits, then steps down. A server removed by an uncommitted
// configuration still campaigns (without counting its own vote), since it
// may be needed to commit its removal (thesis §4.2.2); the leader keeps
// replicating to it until it has acknowledged that the removal committed,
// so that it stops. Configuration entries carry every member's id and
// address, plus the changed member's previous record (so a server that
// joined without Peers recovers the configuration before the change,
// which its snapshots need); Ready.Configuration reports changes.
//
// A server removed while it was down or cut off never receives the entry
// that removes it, and would campaign forever with its old configuration
// (thesis §4.2.3); the members' transports refuse its messages. The
// transport is told the latest committed configuration and its index
// (Transport.SetCommittedConfiguration) and puts them in its refusals; the
// refused node's transport reports them (Node.ReportRemoved, then
// Core.ReportRemoved) when they leave it out. A refusal alone proves
// nothing (a server just added may reach a member that has not received
// its addition yet), and a configuration not yet committed does not count
// (its server may still be needed to commit it, thesis §4.2.2): only a
// committed configuration newer than the node's own latest one marks it
// removed. A removed node stops campaigning and stays a follower that
// answers messages; the mark lapses when a newer configuration reaches its
// log, so a node added back campaigns again.
package raft
