package raft

import (
	"bytes"
	"cmp"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"time"
)

// transferContext marks the MsgVote of a campaign started by MsgTimeoutNow:
// voters grant it even if they heard from the leader recently (thesis
// §3.10, §4.2.3).
var transferContext = []byte("raft-transfer")

// configAt is the configuration that a log entry (or snapshot) at index
// introduced.
type configAt struct {
	index uint64
	cfg   Configuration
}

// Core is the deterministic Raft state machine of one node. It has no
// goroutines, clock, I/O or randomness of its own; see the package
// documentation for how a driver uses it. A Core is not safe for
// concurrent use.
type Core struct {
	id   NodeID
	term uint64
	vote NodeID
	lead NodeID
	role Role
	log  *raftLog

	// cfg is the configuration in force: the latest one in the log,
	// committed or not (thesis §4.1). configs holds every configuration
	// since the snapshot, oldest first, so a truncated configuration entry
	// can be rolled back.
	cfg       Configuration
	configs   []configAt
	voterIDs  []NodeID
	memberIDs []NodeID
	peerIDs   []NodeID
	// lingerIDs are removed servers still replicated to (sorted).
	lingerIDs []NodeID
	// removedAt is the index of a committed configuration that leaves
	// this node out, as a member reported it (ReportRemoved, removed.go).
	removedAt uint64

	prs   map[NodeID]*progress
	votes map[NodeID]bool

	electionTimeout           int
	heartbeatTimeout          int
	randomizedElectionTimeout int
	electionElapsed           int
	heartbeatElapsed          int
	// ticks counts every Tick since the core was built; it is the clock
	// only when Config.Clock is nil (see now).
	ticks        uint64
	tickInterval time.Duration
	clock        Clock
	// leaderContact is when (on clock) this node last heard from a leader
	// of its term, if heardLeader: for an election timeout after it, the
	// node grants no vote (thesis §4.2.3, §6.4.1). A restarted voter
	// counts its start as such a contact, so a lease it backed before its
	// crash holds.
	leaderContact time.Duration
	heardLeader   bool

	preVote     bool
	checkQuorum bool
	leaseRead   bool
	eagerCommit bool
	maxMsgSize  uint64
	maxInflight int
	rand        *rand.Rand
	logger      *slog.Logger

	leadTransferee NodeID
	// pendingBcast defers replication of new proposals, and the notice of
	// a new commit index, to the next Ready, so that proposals made (and
	// commit advances) together travel in one MsgApp per follower.
	pendingBcast bool

	reads readState

	msgs []Message
	// msgsHint is the capacity a new msgs gets: the length of the last
	// one handed out, at most maxMsgsHint.
	msgsHint      int
	prevSoft      SoftState
	prevHard      HardState
	configChanged bool
	// writing is the last entry the driver wrote without its fsync
	// (AdvanceWritten); unstable keeps it until Durable (ready.go).
	writing entryID
}

// NewCore builds a core from cfg, restoring term, vote, log, commit index
// and configuration from cfg.Storage. The node starts as a follower.
func NewCore(cfg Config) (*Core, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.MaxSizePerMsg == 0 {
		cfg.MaxSizePerMsg = DefaultMaxSizePerMsg
	}
	if cfg.MaxInflightMsgs == 0 {
		cfg.MaxInflightMsgs = DefaultMaxInflightMsgs
	}
	if cfg.MaxCommittedSizePerReady == 0 {
		cfg.MaxCommittedSizePerReady = DefaultMaxCommittedSizePerReady
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	rlog, err := newRaftLog(cfg.Storage, cfg.MaxCommittedSizePerReady)
	if err != nil {
		return nil, err
	}
	hs, storedCfg, err := cfg.Storage.InitialState()
	if err != nil {
		return nil, fmt.Errorf("raft: read initial state: %w", err)
	}
	snap, err := cfg.Storage.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("raft: read snapshot: %w", err)
	}
	c := &Core{
		id:               cfg.ID,
		log:              rlog,
		prs:              map[NodeID]*progress{},
		votes:            map[NodeID]bool{},
		electionTimeout:  cfg.ElectionTick,
		tickInterval:     cmp.Or(cfg.TickInterval, time.Millisecond),
		clock:            cfg.Clock,
		heartbeatTimeout: cfg.HeartbeatTick,
		preVote:          cfg.PreVote,
		checkQuorum:      cfg.CheckQuorum,
		leaseRead:        cfg.LeaseRead,
		eagerCommit:      cfg.EagerCommit,
		maxMsgSize:       cfg.MaxSizePerMsg,
		maxInflight:      cfg.MaxInflightMsgs,
		rand:             cfg.Rand,
		logger:           logger.With("raft", uint64(cfg.ID)),
	}
	c.reads.init()
	last := rlog.lastIndex()
	if hs.Commit > last {
		return nil, fmt.Errorf("raft: stored commit index %d is past the last log index %d", hs.Commit, last)
	}
	if cfg.Applied < snap.Index {
		return nil, fmt.Errorf("raft: applied index %d precedes the snapshot at %d: restore the state machine from the snapshot first", cfg.Applied, snap.Index)
	}
	if cfg.Applied > last {
		return nil, fmt.Errorf("raft: applied index %d is past the last log index %d", cfg.Applied, last)
	}
	if err := c.loadConfigs(snap, cfg.Peers, storedCfg); err != nil {
		return nil, err
	}
	c.term, c.vote = hs.Term, hs.Vote
	rlog.committed = max(rlog.committed, hs.Commit, cfg.Applied)
	rlog.applied = max(rlog.applied, cfg.Applied)
	c.becomeFollower(c.term, None)
	c.prevHard = c.hardState()
	c.prevSoft = c.softState()
	if c.leaseRead && hs.Term > 0 {
		c.heardLeader, c.leaderContact = true, c.now()
	}
	c.configChanged = false
	c.logger.Info("raft core started", "term", c.term, "commit", rlog.committed,
		"applied", rlog.applied, "last", last, "members", len(c.cfg.Members))
	return c, nil
}

// loadConfigs rebuilds the configuration history from the snapshot and the
// configuration entries of the log after it.
func (c *Core) loadConfigs(snap SnapshotMeta, peers []Member, stored Configuration) error {
	base := configAt{index: snap.Index, cfg: snap.Config.Clone()}
	if snap.IsEmpty() {
		base.cfg = Configuration{Members: peers}.Clone()
	}
	c.configs = []configAt{base}
	lo, hi := max(c.log.firstIndex(), snap.Index+1), c.log.lastIndex()+1
	for lo < hi {
		ents, err := c.log.slice(lo, hi, c.maxMsgSize)
		if err != nil {
			return fmt.Errorf("raft: scan log for configurations: %w", err)
		}
		if err := c.trackConfigs(ents); err != nil {
			return err
		}
		lo = ents[len(ents)-1].Index + 1
	}
	if len(c.configs[len(c.configs)-1].cfg.Members) == 0 && len(stored.Members) > 0 {
		c.configs[len(c.configs)-1].cfg = stored.Clone()
	}
	c.setConfig(c.configs[len(c.configs)-1].cfg)
	return nil
}

// trackConfigs records the configuration entries among newly appended
// entries; a configuration takes effect as soon as it is in the log
// (thesis §4.1).
func (c *Core) trackConfigs(ents []Entry) error {
	changed := false
	for _, e := range ents {
		if e.Type != EntryConfig {
			continue
		}
		cfg, prior, err := decodeConfigEntry(e.Data)
		if err != nil {
			err = fmt.Errorf("raft: configuration entry at index %d: %w", e.Index, err)
			c.log.fail(err)
			return err
		}
		if prior != nil && len(c.configs) == 1 && c.configs[0].index == 0 && len(c.configs[0].cfg.Members) == 0 {
			// A server that joined without Peers learns the
			// configuration in force before the first change it sees
			// (the bootstrap one) from that change's entry, so that
			// snapshots of the log before it carry it.
			c.configs[0].cfg = *prior
		}
		c.configs = append(c.configs, configAt{index: e.Index, cfg: cfg})
		changed = true
	}
	if changed {
		c.setConfig(c.configs[len(c.configs)-1].cfg)
	}
	return nil
}

// truncateConfigs rolls back configurations introduced at or after index,
// whose entries are being replaced.
func (c *Core) truncateConfigs(index uint64) {
	n := len(c.configs)
	for n > 1 && c.configs[n-1].index >= index {
		n--
	}
	if n != len(c.configs) {
		c.configs = c.configs[:n]
		c.setConfig(c.configs[n-1].cfg)
	}
}

// configAtIndex returns the configuration in force at log index i.
func (c *Core) configAtIndex(i uint64) Configuration {
	cfg := c.configs[0].cfg
	for _, ca := range c.configs {
		if ca.index <= i {
			cfg = ca.cfg
		}
	}
	return cfg
}

// setConfig makes cfg the configuration in force.
func (c *Core) setConfig(cfg Configuration) {
	c.cfg = cfg
	c.voterIDs = cfg.Voters()
	c.memberIDs = cfg.IDs()
	c.peerIDs = slices.DeleteFunc(slices.Clone(c.memberIDs), func(id NodeID) bool { return id == c.id })
	c.configChanged = true
	if c.role != RoleLeader {
		return
	}
	for _, m := range cfg.Members {
		pr, ok := c.prs[m.ID]
		if !ok {
			pr = newProgress(c.log.lastIndex()+1, c.maxInflight, m.Learner)
			if m.ID == c.id {
				pr.match = c.log.lastStableIndex()
			}
			c.prs[m.ID] = pr
		}
		pr.learner = m.Learner
	}
	c.lingerIDs = c.lingerIDs[:0]
	for _, id := range slices.Sorted(maps.Keys(c.prs)) {
		pr := c.prs[id]
		if _, ok := cfg.Member(id); ok {
			pr.lingerUntil = 0
			continue
		}
		if id == c.id {
			delete(c.prs, id)
			continue
		}
		// A removed server keeps receiving the log until it has
		// acknowledged a heartbeat telling it that the entry that removed
		// it is committed, so that it stops campaigning (thesis §4.2.2);
		// it counts for nothing meanwhile. One that never answers is
		// dropped an election timeout or two after the removal commits.
		if pr.lingerUntil == 0 {
			pr.lingerUntil = c.configs[len(c.configs)-1].index
		}
		c.lingerIDs = append(c.lingerIDs, id)
	}
	if c.leadTransferee != None && !cfg.IsVoter(c.leadTransferee) {
		c.abortLeaderTransfer()
	}
}

// promotable reports whether the node may campaign: it is a voter in its
// latest configuration, or that configuration (which removes it) is not
// committed yet and it is a voter in the last committed one. Thesis
// §4.2.2: such a server "might still be needed until the Cnew entry is
// committed"; it does not count its own vote, and if it wins it leads
// until the removal commits, then steps down. A node that learned from a
// member that a newer committed configuration leaves it out (removed.go)
// never campaigns.
func (c *Core) promotable() bool {
	if c.removed() {
		return false
	}
	if c.cfg.IsVoter(c.id) {
		return true
	}
	last := c.configs[len(c.configs)-1]
	return last.index > c.log.committed && c.configAtIndex(c.log.committed).IsVoter(c.id)
}

func (c *Core) quorum() int { return len(c.voterIDs)/2 + 1 }

func (c *Core) hardState() HardState {
	return HardState{Term: c.term, Vote: c.vote, Commit: c.log.committed}
}

func (c *Core) softState() SoftState { return SoftState{Lead: c.lead, Role: c.role} }

// minMsgsCap and maxMsgsHint bound the capacity a new Core.msgs starts
// with.
const (
	minMsgsCap  = 1
	maxMsgsHint = 1024
)

// send queues m for the next Ready. Term defaults to the current term;
// vote requests and responses set it themselves.
func (c *Core) send(m Message) {
	m.From = c.id
	if m.Term == 0 {
		m.Term = c.term
	}
	if c.msgs == nil {
		// Ready hands the slice over; size the next one like the last
		// instead of growing it from nothing, copying as it goes.
		c.msgs = make([]Message, 0, max(c.msgsHint, minMsgsCap))
	}
	c.msgs = append(c.msgs, m)
}

func (c *Core) resetRandomizedElectionTimeout() {
	c.randomizedElectionTimeout = c.electionTimeout + c.rand.IntN(c.electionTimeout)
}

// reset prepares for a new role in term.
func (c *Core) reset(term uint64) {
	if c.term != term {
		c.term = term
		c.vote = None
	}
	c.lead = None
	c.electionElapsed = 0
	c.heartbeatElapsed = 0
	c.resetRandomizedElectionTimeout()
	c.abortLeaderTransfer()
	clear(c.votes)
	clear(c.prs)
	c.lingerIDs = nil
	c.pendingBcast = false
	c.reads.reset()
}

func (c *Core) becomeFollower(term uint64, lead NodeID) {
	c.reset(term)
	c.lead = lead
	c.role = RoleFollower
	c.logger.Debug("became follower", "term", term, "leader", uint64(lead))
}

func (c *Core) becomePreCandidate() {
	// A pre-candidate keeps its term and vote (thesis §9.6).
	clear(c.votes)
	c.lead = None
	c.electionElapsed = 0
	c.resetRandomizedElectionTimeout()
	c.role = RolePreCandidate
	c.logger.Debug("became pre-candidate", "term", c.term)
}

func (c *Core) becomeCandidate() {
	c.reset(c.term + 1)
	c.vote = c.id
	c.role = RoleCandidate
	c.logger.Debug("became candidate", "term", c.term)
}

func (c *Core) becomeLeader() {
	c.reset(c.term)
	c.lead = c.id
	c.role = RoleLeader
	last := c.log.lastIndex()
	for _, m := range c.cfg.Members {
		c.prs[m.ID] = newProgress(last+1, c.maxInflight, m.Learner)
	}
	if self, ok := c.prs[c.id]; ok {
		self.match = c.log.lastStableIndex()
		self.becomeReplicate()
		self.next = last + 1
	}
	// A new leader appends a no-op entry of its term, so that it can
	// commit the entries of earlier terms (paper §5.4.2, §8).
	c.appendEntries(Entry{Type: EntryNoop})
	c.logger.Info("became leader", "term", c.term, "last", last)
}

// appendEntries appends entries as leader, assigning index and term. The
// leader's own match is advanced only once the driver reports the entries
// durable (Advance), so that it may send them before writing (thesis
// §10.2.1).
func (c *Core) appendEntries(ents ...Entry) {
	last := c.log.lastIndex()
	for i := range ents {
		ents[i].Term = c.term
		ents[i].Index = last + 1 + uint64(i)
	}
	c.log.append(ents)
	_ = c.trackConfigs(ents)
	c.pendingBcast = true
}

// campaignKind distinguishes the three ways a node starts an election.
type campaignKind uint8

const (
	campaignPreElection campaignKind = iota
	campaignElection
	campaignTransfer
)

func (c *Core) campaign(kind campaignKind) {
	if !c.promotable() {
		return
	}
	var term uint64
	var typ MessageType
	if kind == campaignPreElection {
		c.becomePreCandidate()
		typ, term = MsgPreVote, c.term+1
	} else {
		c.becomeCandidate()
		typ, term = MsgVote, c.term
	}
	if won, _ := c.poll(c.id, true); won {
		// A single-voter cluster wins at once.
		if kind == campaignPreElection {
			c.campaign(campaignElection)
		} else {
			c.becomeLeader()
		}
		return
	}
	var ctx []byte
	if kind == campaignTransfer {
		ctx = transferContext
	}
	lastIndex, lastTerm := c.log.lastIndex(), c.log.lastTerm()
	for _, id := range c.voterIDs {
		if id == c.id {
			continue
		}
		c.send(Message{Type: typ, To: id, Term: term, Index: lastIndex, LogTerm: lastTerm, Context: ctx})
	}
}

// poll records a vote and reports whether the election is won or lost.
func (c *Core) poll(id NodeID, granted bool) (won, lost bool) {
	if !c.cfg.IsVoter(id) {
		return false, false
	}
	if _, ok := c.votes[id]; !ok {
		c.votes[id] = granted
	}
	var yes, no int
	for _, v := range c.voterIDs {
		g, ok := c.votes[v]
		switch {
		case !ok:
		case g:
			yes++
		default:
			no++
		}
	}
	q := c.quorum()
	return yes >= q, no > len(c.voterIDs)-q
}

// Tick advances the core's logical clock by one tick.
func (c *Core) Tick() {
	c.ticks++
	if c.role == RoleLeader {
		c.tickHeartbeat()
	} else {
		c.tickReadRequest()
		c.tickElection()
	}
}

func (c *Core) tickElection() {
	c.electionElapsed++
	if c.promotable() && c.electionElapsed >= c.randomizedElectionTimeout {
		c.electionElapsed = 0
		// Paper §5.2: a follower that hears nothing for an election
		// timeout starts an election (thesis §9.6: first a pre-vote).
		if c.preVote {
			c.campaign(campaignPreElection)
		} else {
			c.campaign(campaignElection)
		}
	}
}

func (c *Core) tickHeartbeat() {
	c.heartbeatElapsed++
	c.electionElapsed++
	if c.electionElapsed >= c.electionTimeout {
		c.electionElapsed = 0
		if c.checkQuorum {
			// Thesis §6.2: a leader that has not heard from a quorum
			// for an election timeout steps down.
			if !c.quorumActive() {
				c.logger.Info("stepping down: quorum not active", "term", c.term)
				c.becomeFollower(c.term, None)
				return
			}
		}
		// Thesis §3.10: a transfer that did not finish within an
		// election timeout is aborted.
		c.abortLeaderTransfer()
		c.expireSnapshots()
		c.dropLingering(true)
	}
	if c.heartbeatElapsed >= c.heartbeatTimeout {
		c.heartbeatElapsed = 0
		c.bcastHeartbeat()
	}
}

// expireSnapshots gives up on snapshots that stayed unacknowledged for
// more than an election timeout without a ReportSnapshot: the follower is
// probed again (and sent a new snapshot if it still needs one), so a lost
// MsgSnap cannot stall it forever.
func (c *Core) expireSnapshots() {
	for _, id := range c.peerIDs {
		pr := c.prs[id]
		if pr == nil || pr.state != StateSnapshot {
			continue
		}
		if !pr.snapshotStale {
			pr.snapshotStale = true
			continue
		}
		c.logger.Debug("snapshot unacknowledged, probing again", "to", uint64(id))
		pr.pendingSnapshot = 0
		pr.becomeProbe()
	}
}

// quorumActive reports whether a quorum of voters was heard from during
// the last election timeout, and starts a new interval.
func (c *Core) quorumActive() bool {
	active := 0
	for _, id := range c.voterIDs {
		pr := c.prs[id]
		if id == c.id || pr.recentActive {
			active++
		}
		if id != c.id {
			pr.recentActive = false
		}
	}
	return active >= c.quorum()
}

// Step hands the core a message received from another node.
func (c *Core) Step(m Message) error {
	if c.log.err != nil {
		return c.log.err
	}
	if m.To != c.id || m.From == None || m.From == c.id || int(m.Type) >= len(messageTypeNames) {
		return fmt.Errorf("%w: %v from %d to %d delivered to node %d", ErrInvalidMessage, m.Type, m.From, m.To, c.id)
	}
	c.step(m)
	return c.log.err
}

// now reads the clock leases and leader contact are measured with.
func (c *Core) now() time.Duration {
	if c.clock == nil {
		return time.Duration(c.ticks) * c.tickInterval
	}
	return c.clock.Now()
}

// electionTimeoutDuration is the minimum election timeout as time.
func (c *Core) electionTimeoutDuration() time.Duration {
	return time.Duration(c.electionTimeout) * c.tickInterval
}

// heardFromLeader records a message from the leader of the current term.
func (c *Core) heardFromLeader(from NodeID) {
	c.electionElapsed = 0
	c.lead = from
	c.heardLeader, c.leaderContact = true, c.now()
}

// inLease reports whether a vote request must be ignored because a leader
// was heard from within the minimum election timeout, whatever the term
// the request carries or the node has moved to since (thesis §4.2.3 for
// votes under CheckQuorum, §9.6 for pre-votes). Measured on the monotonic
// clock, so that a leader's lease (§6.4.1) never outlives this promise.
func (c *Core) inLease(t MessageType) bool {
	if !c.checkQuorum && t != MsgPreVote {
		return false
	}
	if c.role == RoleLeader {
		return true
	}
	return c.heardLeader && c.now()-c.leaderContact < c.electionTimeoutDuration()
}

func (c *Core) step(m Message) {
	switch {
	case m.Term > c.term:
		if m.Type == MsgVote || m.Type == MsgPreVote {
			force := m.Type == MsgVote && bytes.Equal(m.Context, transferContext)
			if !force && c.inLease(m.Type) {
				c.logger.Debug("ignoring vote request: leader is alive", "from", uint64(m.From), "type", m.Type)
				return
			}
		}
		switch {
		case m.Type == MsgPreVote:
			// Thesis §9.6: a pre-vote never changes the voter's term.
		case m.Type == MsgPreVoteResp && !m.Reject:
			// The granted pre-vote carries the future term; it is
			// counted below, and the term changes only on winning.
		case m.Type == MsgApp || m.Type == MsgHeartbeat || m.Type == MsgSnap:
			// Paper §5.1: a higher term makes the node a follower.
			c.becomeFollower(m.Term, m.From)
		case m.Type == MsgVote && c.role == RoleFollower:
			// Paper Fig. 2: only hearing from the leader or granting a
			// vote restarts a follower's election timer. Were a rejected
			// vote to restart it, a candidate with a stale log timing out
			// again and again could keep every up-to-date voter from
			// ever campaigning.
			elapsed, timeout := c.electionElapsed, c.randomizedElectionTimeout
			c.becomeFollower(m.Term, None)
			c.electionElapsed, c.randomizedElectionTimeout = elapsed, timeout
		default:
			c.becomeFollower(m.Term, None)
		}
	case m.Term < c.term:
		switch {
		case (c.checkQuorum || c.preVote) && (m.Type == MsgApp || m.Type == MsgHeartbeat):
			// A stale leader learns the newer term from the reply and
			// steps down; without it a partitioned node with a high
			// term could never rejoin under PreVote/CheckQuorum.
			c.send(Message{Type: MsgAppResp, To: m.From})
		case m.Type == MsgPreVote:
			c.send(Message{Type: MsgPreVoteResp, To: m.From, Reject: true})
		case m.Type == MsgVote:
			// Paper Fig. 2: reply false with currentTerm, so the
			// candidate updates itself; otherwise a candidate stuck
			// below this node's term would never learn it.
			c.send(Message{Type: MsgVoteResp, To: m.From, Reject: true})
		}
		// Paper §5.1: a request with a stale term is rejected.
		return
	}
	switch m.Type {
	case MsgVote, MsgPreVote:
		c.handleVoteRequest(m)
		return
	}
	switch c.role {
	case RoleLeader:
		c.stepLeader(m)
	case RoleCandidate, RolePreCandidate:
		c.stepCandidate(m)
	default:
		c.stepFollower(m)
	}
}

// handleVoteRequest answers RequestVote (paper §5.2, §5.4.1) and pre-vote
// requests (thesis §9.6).
func (c *Core) handleVoteRequest(m Message) {
	resp := MsgVoteResp
	if m.Type == MsgPreVote {
		resp = MsgPreVoteResp
	}
	force := m.Type == MsgVote && bytes.Equal(m.Context, transferContext)
	canVote := c.vote == m.From ||
		(c.vote == None && c.lead == None) ||
		(m.Type == MsgPreVote && m.Term > c.term)
	if !force && c.inLease(m.Type) {
		// Thesis §4.2.3, §6.4.1: no vote while a leader was heard from
		// within the election timeout, even in a term this node moved to
		// since (a late higher-term reply clears its leader); nor for an
		// election timeout after a restart.
		canVote = false
	}
	if canVote && c.log.isUpToDate(m.Index, m.LogTerm) {
		c.send(Message{Type: resp, To: m.From, Term: m.Term})
		if m.Type == MsgVote {
			// Granting restarts the election timer, with a new random
			// timeout (paper §5.2), so voters do not keep colliding.
			c.electionElapsed = 0
			c.resetRandomizedElectionTimeout()
			c.vote = m.From
		}
		return
	}
	c.send(Message{Type: resp, To: m.From, Term: c.term, Reject: true})
	lastIndex, lastTerm := c.log.lastIndex(), c.log.lastTerm()
	better := m.LogTerm > lastTerm || (m.LogTerm == lastTerm && m.Index > lastIndex)
	if m.Type == MsgVote && c.role == RoleCandidate && m.Term == c.term && c.vote == c.id && better {
		// A candidate that must refuse a candidate with a better log,
		// only because it voted for itself in this term, backs
		// off past any election timeout the other may draw: the other
		// then campaigns first in the next term and gets this vote.
		// Otherwise a candidate that cannot win (its configuration's
		// quorum is gone) could keep firing first forever.
		c.electionElapsed = 0
		c.randomizedElectionTimeout = 2*c.electionTimeout + c.rand.IntN(c.electionTimeout)
	}
}

// Propose appends data to the log as a new entry if this node is the
// leader, and returns the index and term it was given: the entry is
// committed as this proposal only if the entry applied at that index has
// that term. It returns ErrProposalDropped otherwise.
func (c *Core) Propose(data []byte) (index, term uint64, err error) {
	if c.log.err != nil {
		return 0, 0, c.log.err
	}
	if c.role != RoleLeader || c.leadTransferee != None || c.isRemovedLeader() {
		return 0, 0, ErrProposalDropped
	}
	c.appendEntries(Entry{Type: EntryNormal, Data: data})
	return c.log.lastIndex(), c.term, nil
}

// isRemovedLeader reports whether this leader is not in the configuration
// in force (it is only finishing the change that removed it).
func (c *Core) isRemovedLeader() bool {
	_, ok := c.cfg.Member(c.id)
	return !ok
}

// replicaIDs returns the sorted ids of the other members, then of the
// removed servers that still get the log until their removal commits.
func (c *Core) replicaIDs() []NodeID {
	if len(c.lingerIDs) == 0 {
		return c.peerIDs
	}
	return append(slices.Clone(c.peerIDs), c.lingerIDs...)
}

// dropLingering stops replicating to removed servers that know their
// removal committed, or, with expire, to those whose removal committed
// at least one expire call ago.
func (c *Core) dropLingering(expire bool) {
	c.lingerIDs = slices.DeleteFunc(c.lingerIDs, func(id NodeID) bool {
		pr := c.prs[id]
		if pr == nil {
			return true
		}
		if pr.lingerUntil > c.log.committed {
			return false
		}
		if pr.lingerDone || (expire && pr.lingerExpiring) {
			delete(c.prs, id)
			return true
		}
		if expire {
			pr.lingerExpiring = true
		}
		return false
	})
}
