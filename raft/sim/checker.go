package sim

import (
	"bytes"
	"fmt"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// checker verifies the Raft safety properties and the driver contract as
// the simulation runs. It records the first violation through Sim.fail.
//
// Every check is incremental (it looks only at what just changed), so
// checking after every event stays cheap.
type checker struct {
	s *Sim
	// leaders maps each term to the one node that led it (Election
	// Safety, paper §5.2).
	leaders map[uint64]raft.NodeID
	// fingerprints maps an (index, term) pair to the entry's content and
	// the term of the entry before it. Two logs holding the same (index,
	// term) must agree on both, which by induction is Log Matching
	// (paper §5.3).
	fingerprints map[indexTerm]fingerprint
	// committed[i-1] is what is known about the entry committed at index
	// i (Leader Completeness, paper §5.4).
	committed []commitRecord
	// applied[i-1] is the entry applied at index i by whichever node
	// applied it first (State Machine Safety, paper §5.4.3).
	applied []raft.Entry
	// results[i-1] is the result the first node to apply index i got;
	// every other node must get the same.
	results []any
	nodes   []nodeCheck
	// readsServed counts reads served (each checked for staleness).
	readsServed int
	// committedConfig is the latest configuration committed (seen committed by
	// any node), starting with the bootstrap one.
	committedConfig raft.Configuration
	// committedConfigIndex is the index of its entry (0: bootstrap).
	committedConfigIndex uint64
	// healedAt is when the cluster last became healthy (every node up
	// and reachable over reliable links; see healthy), or -1 while it is
	// not; commitAtHeal is how many indexes were known committed then and
	// placedAtHeal the first index a leader placed a proposal at since
	// (0: none yet), for the liveness bounds (checkLiveness).
	healedAt     time.Duration
	commitAtHeal int
	placedAtHeal uint64
	// leaderlessSince is when the healthy cluster last found itself
	// without a leader (-1 while it has one).
	leaderlessSince time.Duration
	// leaseHolder is the node that held a valid lease after the last
	// event (None if none), for the one-lease-at-a-time check.
	leaseHolder raft.NodeID
}

type indexTerm struct{ index, term uint64 }

type fingerprint struct {
	prevTerm uint64
	typ      raft.EntryType
	data     string
}

type commitRecord struct {
	term uint64
	// knownTerm is the lowest term in which a node was seen to hold the
	// entry as committed; it was committed in that term or earlier, so
	// every leader of a later term must hold it.
	knownTerm uint64
}

// nodeCheck is the checker's memory of one node.
type nodeCheck struct {
	// leaderTerm is the term the node led at its previous Ready (0 if it
	// did not lead), for Leader Append-Only.
	leaderTerm uint64
	// checkLeaderOf is a term the node was seen leading while dirty, whose
	// Leader Completeness check waits until its log is fully visible.
	checkLeaderOf uint64
	// beatTerm is the term in which the node, as leader, last sent a
	// heartbeat or an append (or became leader), at lastBeat.
	beatTerm uint64
	lastBeat time.Duration
	// commitSeen is the highest commit index the node was seen with,
	// across restarts; commitNow is this incarnation's (never regresses).
	commitSeen, commitNow uint64
}

func newChecker(s *Sim) *checker {
	return &checker{
		s:               s,
		leaders:         map[uint64]raft.NodeID{},
		fingerprints:    map[indexTerm]fingerprint{},
		nodes:           make([]nodeCheck, s.opts.Nodes),
		healedAt:        -1,
		leaderlessSince: -1,
	}
}

func (c *checker) failf(format string, args ...any) {
	c.s.fail(fmt.Errorf(format, args...))
}

// onStart checks that a restarted core resumes from its durable term and
// vote: they never regress across restarts.
func (c *checker) onStart(n *node) {
	st := n.core.Status()
	hs := n.store.hs
	if st.Term < hs.Term || (st.Term == hs.Term && hs.Vote != raft.None && st.Vote != hs.Vote) {
		c.failf("node %d restarted at term %d vote %d, but term %d vote %d were durable", n.id, st.Term, st.Vote, hs.Term, hs.Vote)
	}
	c.nodes[n.id-1].commitNow = 0
	c.nodes[n.id-1].leaderTerm = 0
}

// onReady checks a Ready when the driver takes it: Leader Append-Only and
// Log Matching for the new entries, and records where proposals landed.
func (c *checker) onReady(n *node, rd *raft.Ready) {
	if n.core == nil {
		return // start-up repair (reconcileLog), before the core exists
	}
	st := statusOf(n.core)
	nc := &c.nodes[n.id-1]
	if st.Role == raft.RoleLeader && nc.leaderTerm == st.Term {
		// Leader Append-Only (paper §5.3): a leader never overwrites or
		// deletes entries in its log.
		if !rd.Snapshot.IsEmpty() {
			c.failf("Leader Append-Only: leader %d of term %d installs a snapshot at %d", n.id, st.Term, rd.Snapshot.Index)
		}
		if len(rd.Entries) > 0 && rd.Entries[0].Index != n.store.lastIndex()+1 {
			c.failf("Leader Append-Only: leader %d of term %d writes entries from %d over its log ending at %d", n.id, st.Term, rd.Entries[0].Index, n.store.lastIndex())
		}
	}
	if st.Role == raft.RoleLeader {
		nc.leaderTerm = st.Term
	} else {
		nc.leaderTerm = 0
	}
	if len(rd.Entries) == 0 {
		return
	}
	first := rd.Entries[0].Index
	// A node never overwrites an entry it knows is committed (paper
	// §5.3: only the conflicting, uncommitted suffix is truncated).
	for _, e := range rd.Entries {
		if e.Index > nc.commitNow || e.Index > n.store.lastIndex() {
			break
		}
		if old, err := n.store.Term(e.Index); err == nil && old != e.Term {
			c.failf("node %d overwrites entry %d (term %d) with term %d, below its commit index %d", n.id, e.Index, old, e.Term, nc.commitNow)
			return
		}
	}
	prevTerm, known := uint64(0), first == 1
	switch {
	case first == 1:
	case !rd.Snapshot.IsEmpty() && first-1 == rd.Snapshot.Index:
		prevTerm, known = rd.Snapshot.Term, true
	default:
		t, err := n.store.Term(first - 1)
		prevTerm, known = t, err == nil
		if err != nil && first-1 > n.store.lastIndex() {
			c.failf("node %d: Ready appends entries from %d past its log ending at %d", n.id, first, n.store.lastIndex())
			return
		}
	}
	for i, e := range rd.Entries {
		if e.Index != first+uint64(i) {
			c.failf("node %d: Ready entries not contiguous at %d", n.id, e.Index)
			return
		}
		if e.Term == 0 {
			c.failf("node %d: entry %d has term 0", n.id, e.Index)
			return
		}
		if known && e.Term < prevTerm {
			c.failf("Log Matching: node %d: entry %d has term %d below the previous entry's %d", n.id, e.Index, e.Term, prevTerm)
			return
		}
		if known {
			c.fingerprint(n, e, prevTerm)
		}
		if e.Type == raft.EntryConfig {
			c.checkConfigEntry(n, rd, i)
		}
		prevTerm, known = e.Term, true
		if st.Role == raft.RoleLeader && e.Term == st.Term && e.Type == raft.EntryNormal {
			c.s.placed[string(e.Data)] = Placement{Index: e.Index, Term: e.Term, Leader: n.id}
			if c.healedAt >= 0 && c.placedAtHeal == 0 {
				c.placedAtHeal = e.Index
			}
		}
	}
}

func (c *checker) fingerprint(n *node, e raft.Entry, prevTerm uint64) {
	k := indexTerm{e.Index, e.Term}
	f := fingerprint{prevTerm: prevTerm, typ: e.Type, data: string(e.Data)}
	old, ok := c.fingerprints[k]
	if !ok {
		c.fingerprints[k] = f
		return
	}
	if old != f {
		c.failf("Log Matching: node %d holds entry %d/%d as %s %q after term %d; another log holds it as %s %q after term %d",
			n.id, e.Index, e.Term, f.typ, f.data, f.prevTerm, old.typ, old.data, old.prevTerm)
	}
}

// onPersist checks what was just written: term and vote never regress,
// nor does the commit index.
func (c *checker) onPersist(n *node, before raft.HardState, hs raft.HardState) {
	if hs.IsEmpty() {
		return
	}
	if hs.Term < before.Term {
		c.failf("node %d persisted term %d after term %d", n.id, hs.Term, before.Term)
	}
	if hs.Term == before.Term && before.Vote != raft.None && hs.Vote != before.Vote {
		c.failf("node %d changed its durable vote in term %d from %d to %d", n.id, hs.Term, before.Vote, hs.Vote)
	}
	if hs.Commit < before.Commit {
		c.failf("node %d persisted commit %d after %d", n.id, hs.Commit, before.Commit)
	}
	if hs.Commit > n.store.lastIndex() {
		c.failf("node %d persisted commit %d past its durable log ending at %d", n.id, hs.Commit, n.store.lastIndex())
	}
}

// onSend checks the driver contract for one outgoing message: the state
// it announces is durable before it leaves (the simulator holds back what
// the driver sends while a write's fsync is in flight, so the store is
// durable here).
func (c *checker) onSend(n *node, m raft.Message) {
	if m.From != n.id {
		c.failf("node %d sent a message from %d", n.id, m.From)
		return
	}
	c.onBeat(n, m)
	durable := n.store.durableState()
	hs := durable.hs
	switch m.Type {
	case raft.MsgPreVote, raft.MsgPreVoteResp:
		// PreVote traffic carries a prospective term and changes no
		// durable state (thesis §9.6).
		return
	}
	if m.Term > hs.Term {
		c.failf("node %d sent %s of term %d while term %d was durable", n.id, m.Type, m.Term, hs.Term)
	}
	switch m.Type {
	case raft.MsgVoteResp:
		// A grant of an older term than the durable one is safe: the
		// node can never vote in that term again (input taken in one
		// batch may grant a vote and then move to a newer term).
		if !m.Reject && hs.Term == m.Term && hs.Vote != m.To {
			c.failf("node %d granted its vote in term %d to %d, but its durable vote is %d in term %d", n.id, m.Term, m.To, hs.Vote, hs.Term)
		}
	case raft.MsgVote:
		// A campaign of an older term than the durable one is harmless
		// (input taken in one batch may start it and then move the node
		// to a newer term): the node can never lead that term.
		if hs.Term == m.Term && hs.Vote != n.id {
			c.failf("node %d campaigns in term %d without a durable vote for itself (durable term %d vote %d)", n.id, m.Term, hs.Term, hs.Vote)
		}
	case raft.MsgAppResp, raft.MsgSnapResp:
		if last := durable.lastIndex(); !m.Reject && m.Index > last {
			c.failf("node %d acknowledged index %d but only %d is durable", n.id, m.Index, last)
		}
	}
}

// onApply checks State Machine Safety: no two nodes apply different
// entries at one index, only committed entries are applied, and every
// node gets the same result from the same entry. (The state machine
// itself refuses an entry out of order, so none is applied twice.)
func (c *checker) onApply(n *node, e raft.Entry, result any) {
	i := e.Index
	if rec, ok := c.commitAt(i); ok && rec.term != e.Term {
		c.failf("node %d applied entry %d of term %d, but the entry committed there has term %d", n.id, i, e.Term, rec.term)
		return
	}
	if i <= uint64(len(c.applied)) {
		old := c.applied[i-1]
		if old.Term != e.Term || old.Type != e.Type || !bytes.Equal(old.Data, e.Data) {
			c.failf("State Machine Safety: node %d applied %s %q (term %d) at %d where %s %q (term %d) was applied",
				n.id, e.Type, e.Data, e.Term, i, old.Type, old.Data, old.Term)
		}
		if c.results[i-1] != result {
			c.failf("node %d got result %v from entry %d, another node %v", n.id, result, i, c.results[i-1])
		}
		return
	}
	if i != uint64(len(c.applied))+1 {
		// Another node must have applied every earlier index first: a
		// node applies in order from 1 or from a snapshot of applied
		// state. Record a gap-free prefix only.
		c.failf("node %d applied index %d, but no node has applied %d", n.id, i, len(c.applied)+1)
		return
	}
	c.applied = append(c.applied, e)
	c.results = append(c.results, result)
}

// observeConfig records the configuration entry e, which node n holds as
// committed, as the latest committed configuration if it is newer, and
// checks that it changes at most one voter.
func (c *checker) observeConfig(n *node, e raft.Entry) {
	if e.Type != raft.EntryConfig || e.Index <= c.committedConfigIndex {
		return
	}
	cfg, err := raft.DecodeConfiguration(e.Data)
	if err != nil {
		c.failf("node %d committed a malformed configuration at %d: %v", n.id, e.Index, err)
		return
	}
	if d := voterChange(c.committedConfig, cfg); d > 1 {
		c.failf("committed configuration at %d changes %d voters at once (%v -> %v): two disjoint majorities possible",
			e.Index, d, c.committedConfig.Voters(), cfg.Voters())
	}
	c.committedConfig, c.committedConfigIndex = cfg, e.Index
	c.s.tracef("committed config %d: voters %v learners %v (seen at %d)", e.Index, cfg.Voters(), learnersOf(cfg), n.id)
}

// voterChange counts the servers that are voters in exactly one of a and
// b. With at most one, every majority of a meets every majority of b
// (thesis §4.1).
func voterChange(a, b raft.Configuration) int {
	d := 0
	for _, id := range a.Voters() {
		if !b.IsVoter(id) {
			d++
		}
	}
	for _, id := range b.Voters() {
		if !a.IsVoter(id) {
			d++
		}
	}
	return d
}

// checkConfigEntry checks that the configuration entry rd.Entries[k]
// changes at most one voter from the configuration before it in node n's
// log, so that no two configurations in force at once have disjoint
// majorities.
func (c *checker) checkConfigEntry(n *node, rd *raft.Ready, k int) {
	e := rd.Entries[k]
	next, err := raft.DecodeConfiguration(e.Data)
	if err != nil {
		c.failf("node %d: malformed configuration entry %d: %v", n.id, e.Index, err)
		return
	}
	prev, ok := c.configBefore(n, rd, k)
	if !ok || len(prev.Members) == 0 {
		// The history before it is compacted away on this node, or the
		// node joined later and its snapshot predates the entry that
		// added it (the bootstrap configuration is not in the log).
		return
	}
	if d := voterChange(prev, next); d > 1 {
		c.failf("node %d: configuration entry %d/%d changes %d voters at once (%v -> %v)",
			n.id, e.Index, e.Term, d, prev.Voters(), next.Voters())
	}
}

// configBefore returns the configuration in force in node n's log just
// before rd.Entries[k].
func (c *checker) configBefore(n *node, rd *raft.Ready, k int) (raft.Configuration, bool) {
	for j := k - 1; j >= 0; j-- {
		if e := rd.Entries[j]; e.Type == raft.EntryConfig {
			cfg, err := raft.DecodeConfiguration(e.Data)
			return cfg, err == nil
		}
	}
	if !rd.Snapshot.IsEmpty() {
		return rd.Snapshot.Config, true
	}
	st := n.store
	for i := min(rd.Entries[0].Index-1, st.lastIndex()); i > st.offset(); i-- {
		if e := st.ents[i-st.offset()]; e.Type == raft.EntryConfig {
			cfg, err := raft.DecodeConfiguration(e.Data)
			return cfg, err == nil
		}
	}
	if !st.snap.IsEmpty() {
		if st.offset() > st.snap.Index {
			return raft.Configuration{}, false
		}
		return st.snap.Config, true
	}
	if st.offset() > 0 {
		return raft.Configuration{}, false
	}
	return raft.Configuration{Members: c.s.peers}, true
}

// onRestore checks a snapshot installed into a state machine against
// what was applied everywhere else.
func (c *checker) onRestore(n *node, index uint64) {
	data := n.sm.applied
	if index > 0 && index <= uint64(len(c.results)) && n.sm.lastHash() != c.results[index-1] {
		c.failf("node %d restored a snapshot at %d whose state differs from the one applied there", n.id, index)
		return
	}
	for _, e := range data {
		if e.Index <= uint64(len(c.applied)) {
			old := c.applied[e.Index-1]
			if old.Term != e.Term || !bytes.Equal(old.Data, e.Data) {
				c.failf("State Machine Safety: node %d restored a snapshot with %q at %d where %q was applied", n.id, e.Data, e.Index, old.Data)
				return
			}
		} else {
			c.failf("node %d restored a snapshot reaching %d, beyond any node's applied %d", n.id, index, len(c.applied))
			return
		}
	}
}

func (c *checker) commitAt(i uint64) (commitRecord, bool) {
	if i == 0 || i > uint64(len(c.committed)) || c.committed[i-1].term == 0 {
		return commitRecord{}, false
	}
	return c.committed[i-1], true
}

// afterEvent checks every live node's role and commit index, that at
// most one node holds a leader lease, and that leaders keep sending
// heartbeats.
func (c *checker) afterEvent() {
	if c.s.opts.LeaseRead {
		c.checkLeases()
	}
	if !c.s.opts.Pauses {
		c.checkBeats()
	}
	c.checkLiveness()
	for _, n := range c.s.nodes {
		if !n.up {
			continue
		}
		st := statusOf(n.core)
		nc := &c.nodes[n.id-1]
		if st.Role == raft.RoleLeader {
			if old, ok := c.leaders[st.Term]; !ok {
				c.leaders[st.Term] = n.id
				nc.checkLeaderOf = st.Term
			} else if old != n.id {
				c.failf("Election Safety: nodes %d and %d both lead term %d", old, n.id, st.Term)
				return
			}
		}
		if n.fsyncing {
			// Its writes are not durable yet: in raft.Node the core
			// takes them as written (Advance) only once they are, so
			// its log and commit index are checked after the fsync.
			continue
		}
		if nc.checkLeaderOf != 0 {
			if st.Role == raft.RoleLeader && st.Term == nc.checkLeaderOf {
				c.checkLeaderComplete(n, st.Term)
			}
			nc.checkLeaderOf = 0
		}
		if st.Commit < nc.commitNow {
			c.failf("node %d: commit index went back from %d to %d", n.id, nc.commitNow, st.Commit)
			return
		}
		nc.commitNow = st.Commit
		if st.Commit > nc.commitSeen {
			c.observeCommit(n, nc.commitSeen+1, st.Commit, st.Term)
			nc.commitSeen = st.Commit
		}
		if c.s.err != nil {
			return
		}
	}
}

// observeCommit records that node n holds [lo, hi] as committed while in
// term term, and checks it against what is already known.
func (c *checker) observeCommit(n *node, lo, hi, term uint64) {
	for i := lo; i <= hi; i++ {
		t, ok := n.logTerm(i)
		if !ok {
			if n.compacted(i) {
				continue // covered by its snapshot
			}
			c.failf("node %d: commit index %d is past its log ending at %d", n.id, hi, n.lastIndex())
			return
		}
		for uint64(len(c.committed)) < i {
			c.committed = append(c.committed, commitRecord{})
		}
		rec := &c.committed[i-1]
		switch {
		case rec.term == 0:
			rec.term, rec.knownTerm = t, term
		case rec.term != t:
			c.failf("node %d holds entry %d of term %d as committed; another node committed term %d there", n.id, i, t, rec.term)
			return
		case term < rec.knownTerm:
			rec.knownTerm = term
		}
		if i > c.committedConfigIndex {
			if ents, err := n.store.Entries(i, i+1, 0); err == nil && len(ents) == 1 {
				c.observeConfig(n, ents[0])
			}
		}
		// Leader Completeness (paper §5.4): every leader of a later term
		// holds the entry.
		for _, l := range c.s.nodes {
			if !l.up || l.fsyncing {
				continue
			}
			ls := statusOf(l.core)
			if ls.Role != raft.RoleLeader || ls.Term <= rec.knownTerm {
				continue
			}
			c.checkHolds(l, ls.Term, i, rec.term)
		}
	}
}

// checkLeaderComplete checks a new leader of term holds every entry known
// committed in an earlier term (by Log Matching, the latest suffices).
func (c *checker) checkLeaderComplete(n *node, term uint64) {
	for i := uint64(len(c.committed)); i >= 1; i-- {
		rec := c.committed[i-1]
		if rec.term != 0 && rec.knownTerm < term {
			c.checkHolds(n, term, i, rec.term)
			return
		}
	}
}

func (c *checker) checkHolds(l *node, leaderTerm, i, want uint64) {
	t, ok := l.logTerm(i)
	if !ok && l.compacted(i) {
		return // compacted into its snapshot
	}
	if !ok || t != want {
		c.failf("Leader Completeness: leader %d of term %d lacks committed entry %d of term %d (holds term %d, present %v)", l.id, leaderTerm, i, want, t, ok)
	}
}

// Liveness bounds after the network heals, in base election timeouts.
const (
	leaderBound = 10
	commitBound = 20
)

// checkLiveness checks, while the cluster stays healthy, that it is
// never without a leader for more than leaderBound election timeouts (a
// leader emerges that soon after the network heals, or after a leader is
// lost) and that a proposal a leader placed after healing commits within
// commitBound.
func (c *checker) checkLiveness() {
	if !c.s.healthy() {
		c.healedAt, c.leaderlessSince, c.placedAtHeal = -1, -1, 0
		return
	}
	now := c.s.clk.now
	if c.healedAt < 0 {
		c.healedAt, c.commitAtHeal = now, len(c.committed)
	}
	timeout := c.s.opts.electionTimeout()
	switch {
	case c.s.hasLeader():
		c.leaderlessSince = -1
	case c.leaderlessSince < 0:
		c.leaderlessSince = now
	case now-c.leaderlessSince > leaderBound*timeout:
		c.failf("liveness: no leader for %v on a healthy network (bound: %d election timeouts)", now-c.leaderlessSince, leaderBound)
		return
	}
	if p := c.placedAtHeal; p != 0 && now-c.healedAt > commitBound*timeout && uint64(len(c.committed)) < p {
		c.failf("liveness: the proposal placed at %d after the network healed %v ago is not committed (bound: %d election timeouts)", p, now-c.healedAt, commitBound)
	}
}

// onBeat records a leader's heartbeat or append.
func (c *checker) onBeat(n *node, m raft.Message) {
	if m.Type == raft.MsgHeartbeat || m.Type == raft.MsgApp {
		nc := &c.nodes[n.id-1]
		nc.beatTerm, nc.lastBeat = m.Term, c.s.clk.now
	}
}

// checkBeats checks that every leader with followers sends them a
// heartbeat or an append at least once per base election timeout, so
// that no follower times out under a live leader — however slow its
// state machine is (the driver applies off its step function). Stalls of
// the whole process (Options.Pauses) are exempt.
func (c *checker) checkBeats() {
	timeout := c.s.opts.electionTimeout()
	for _, n := range c.s.nodes {
		if !n.up || n.core.Role() != raft.RoleLeader {
			continue
		}
		nc := &c.nodes[n.id-1]
		if term := n.core.Term(); nc.beatTerm != term || len(n.core.Configuration().Members) < 2 {
			// A new leader, or one with no one to send to (yet).
			nc.beatTerm, nc.lastBeat = term, c.s.clk.now
			continue
		}
		if gap := c.s.clk.now - nc.lastBeat; gap > timeout {
			c.failf("leader %d of term %d sent no heartbeat for %v, over the election timeout %v", n.id, nc.beatTerm, gap, timeout)
			return
		}
	}
}

// acked returns the normal entries applied anywhere, in index order.
func (c *checker) acked() []raft.Entry {
	var out []raft.Entry
	for _, e := range c.applied {
		if e.Type == raft.EntryNormal && len(e.Data) > 0 {
			out = append(out, e)
		}
	}
	return out
}

// checkLeases checks that at most one node holds a valid lease at any
// virtual instant (thesis §6.4.1): a lease must end before any other
// leader can be elected.
func (c *checker) checkLeases() {
	holder := raft.None
	for _, n := range c.s.nodes {
		if !n.up || !n.core.LeaseValid() {
			continue
		}
		if holder != raft.None {
			c.failf("nodes %d (term %d) and %d (term %d) both hold a leader lease",
				holder, c.s.node(holder).core.Term(), n.id, n.core.Term())
			return
		}
		holder = n.id
	}
	c.leaseHolder = holder
}

// onReadIndex checks a read index when its ReadState arrives: it covers
// every write acknowledged before the read was requested (thesis §6.4).
func (c *checker) onReadIndex(n *node, r *readRequest) {
	if r.index < r.minIndex {
		c.failf("stale read: node %d got read index %d for a read requested at %v, when index %d was already applied (acknowledged)",
			n.id, r.index, r.at, r.minIndex)
	}
}

// onServeRead checks the state a read is served from.
func (c *checker) onServeRead(n *node, r *readRequest) {
	c.readsServed++
	if got := n.sm.appliedIndex(); got < r.minIndex {
		c.failf("stale read: node %d served a read requested at %v from applied index %d, older than the acknowledged %d",
			n.id, r.at, got, r.minIndex)
	}
}
