package sim

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

var seedFlag = flag.Int64("seed", -1, "run only this seed of each selected scenario (replays a failure)")

// electionTimeout is the base election timeout of the default options
// (20 ticks of 50 ms), the lab suites' RaftElectionTimeout.
const electionTimeout = time.Second

// liveBound is how long after every fault heals the cluster has to apply
// every acknowledged proposal everywhere and commit a new one.
const liveBound = 10 * time.Second

// seedsFor returns the seeds a scenario runs: the -seed flag's one seed,
// else RESQLITE_SEEDS of them, else def (or short under -short).
func seedsFor(t *testing.T, def, short int) []uint64 {
	t.Helper()
	if *seedFlag >= 0 {
		return []uint64{uint64(*seedFlag)}
	}
	n := def
	if testing.Short() {
		n = short
	}
	if v := os.Getenv("RESQLITE_SEEDS"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 {
			t.Fatalf("RESQLITE_SEEDS=%q: want a positive number", v)
		}
		n = k
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

// forEachSeed runs scenario once per seed, each on a fresh harness.
func forEachSeed(t *testing.T, def, short int, opts Options, scenario func(h *harness)) {
	t.Helper()
	for _, seed := range seedsFor(t, def, short) {
		h := newHarness(t, seed, opts)
		scenario(h)
		h.mustOK()
	}
}

// harness runs one scenario on one seed and fails the test with the seed
// and the replay command.
type harness struct {
	t    *testing.T
	seed uint64
	s    *Sim
	cmds int
}

func newHarness(t *testing.T, seed uint64, opts Options) *harness {
	t.Helper()
	opts.Seed = seed
	if os.Getenv("RESQLITE_TRACE") != "" {
		opts.Trace = true
	}
	h := &harness{t: t, seed: seed}
	s, err := New(opts)
	if err != nil {
		h.fatalf("new simulation: %v", err)
	}
	h.s = s
	h.mustOK()
	return h
}

func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	name := strings.SplitN(h.t.Name(), "/", 2)[0]
	state := ""
	if h.s != nil {
		state = "\ncluster: " + h.s.String()
		if v := os.Getenv("RESQLITE_TRACE"); v != "" {
			// RESQLITE_TRACE=N prints the last N events.
			lines := strings.Split(h.s.Trace(), "\n")
			if k, err := strconv.Atoi(v); err == nil && k < len(lines) {
				lines = lines[len(lines)-k:]
			}
			state += "\ntrace:\n" + strings.Join(lines, "\n")
		}
	}
	h.t.Fatalf("seed %d: %s%s\nreplay: go test ./raft/sim -run '^%s$' -seed %d",
		h.seed, fmt.Sprintf(format, args...), state, name, h.seed)
}

func (h *harness) mustOK() {
	h.t.Helper()
	if err := h.s.Err(); err != nil {
		h.fatalf("invariant violated: %v", err)
	}
}

// run advances virtual time by d.
func (h *harness) run(d time.Duration) {
	h.t.Helper()
	if err := h.s.RunFor(d); err != nil {
		h.fatalf("invariant violated: %v", err)
	}
}

// runUntil runs until cond holds or limit passes.
func (h *harness) runUntil(limit time.Duration, cond func() bool) bool {
	h.t.Helper()
	ok, err := h.s.RunUntil(limit, cond)
	if err != nil {
		h.fatalf("invariant violated: %v", err)
	}
	return ok
}

// randDur returns a duration uniform in [0, d), from the simulation's PRNG.
func (h *harness) randDur(d time.Duration) time.Duration {
	return time.Duration(h.s.Rand().Int64N(int64(d)))
}

// randNode returns a node id uniform over the cluster.
func (h *harness) randNode() raft.NodeID {
	return raft.NodeID(h.s.Rand().IntN(len(h.s.nodes)) + 1)
}

// nth returns the id of the node k places after id, wrapping around (the
// labs' (leader+k) % servers).
func (h *harness) nth(id raft.NodeID, k int) raft.NodeID {
	n := len(h.s.nodes)
	return raft.NodeID((int(id)-1+k)%n + 1)
}

// cmd returns a fresh, unique proposal payload.
func (h *harness) cmd() []byte {
	h.cmds++
	return []byte(fmt.Sprintf("c%d", h.cmds))
}

// leaders returns the connected, live nodes that believe they lead, by term.
func (h *harness) leaders() map[uint64][]raft.NodeID {
	out := map[uint64][]raft.NodeID{}
	for _, id := range h.s.IDs() {
		st, ok := h.s.Status(id)
		if ok && h.s.Connected(id) && st.Role == raft.RoleLeader {
			out[st.Term] = append(out[st.Term], id)
		}
	}
	return out
}

// leaderIDs returns the connected, live nodes that believe they lead, in
// id order (deterministic, unlike iterating leaders()).
func (h *harness) leaderIDs() []raft.NodeID {
	var out []raft.NodeID
	for _, id := range h.s.IDs() {
		st, ok := h.s.Status(id)
		if ok && h.s.Connected(id) && st.Role == raft.RoleLeader {
			out = append(out, id)
		}
	}
	return out
}

// checkOneLeader waits (as the labs do, up to ten rounds of about half an
// election timeout) for a leader among the connected live nodes and
// returns the one of the highest term.
func (h *harness) checkOneLeader() raft.NodeID {
	h.t.Helper()
	for range 10 {
		h.run(450*time.Millisecond + h.randDur(100*time.Millisecond))
		ls := h.leaders()
		var best uint64
		for term, ids := range ls {
			if len(ids) > 1 {
				h.fatalf("term %d has %d leaders: %v", term, len(ids), ids)
			}
			best = max(best, term)
		}
		if best > 0 {
			return ls[best][0]
		}
	}
	h.fatalf("expected one leader, got none")
	return raft.None
}

// checkTerms returns the term all connected live nodes agree on.
func (h *harness) checkTerms() uint64 {
	h.t.Helper()
	var term uint64
	for _, id := range h.s.IDs() {
		st, ok := h.s.Status(id)
		if !ok || !h.s.Connected(id) {
			continue
		}
		if term == 0 {
			term = st.Term
		} else if st.Term != term {
			h.fatalf("nodes disagree on term: %d and %d", term, st.Term)
		}
	}
	return term
}

// checkNoLeader fails if a connected live node believes it leads.
func (h *harness) checkNoLeader() {
	h.t.Helper()
	if ls := h.leaders(); len(ls) > 0 {
		h.fatalf("expected no leader among connected nodes, got %v", ls)
	}
}

// nCommitted returns how many nodes applied index, and the payload there
// (State Machine Safety, checked by the simulator, makes it unique).
func (h *harness) nCommitted(index uint64) (int, []byte) {
	count := 0
	var data []byte
	for _, id := range h.s.IDs() {
		if e, ok := h.s.Applied(id, index); ok {
			count++
			data = e.Data
		}
	}
	return count, data
}

// start proposes data to node id, like the labs' Start: it reports where
// the entry landed in the leader's log, or ok=false if id does not lead.
func (h *harness) start(id raft.NodeID, data []byte) (index, term uint64, ok bool) {
	h.t.Helper()
	delete(h.s.placed, string(data)) // wait for this proposal's placement
	if !h.s.Propose(id, data) {
		return 0, 0, false
	}
	var p Placement
	placed := h.runUntil(50*time.Millisecond, func() bool {
		var found bool
		p, found = h.s.Placed(data)
		return found
	})
	if !placed {
		return 0, 0, false
	}
	return p.Index, p.Term, true
}

// one is the labs' one(): propose data until some leader accepts it and
// it is applied by at least expected nodes at the index it landed at,
// trying for 10 s of virtual time. Without retry, a proposal that does
// not commit within 2 s fails the test.
func (h *harness) one(data []byte, expected int, retry bool) uint64 {
	h.t.Helper()
	deadline := h.s.Now() + 10*time.Second
	starter := 0
	for h.s.Now() < deadline {
		var index uint64
		proposed := false
		for k := range len(h.s.nodes) {
			starter = (starter + 1) % len(h.s.nodes)
			id := raft.NodeID(starter + 1)
			if !h.s.Up(id) {
				continue
			}
			if i, _, ok := h.start(id, data); ok {
				index, proposed = i, true
				break
			}
			_ = k
		}
		if proposed {
			var got []byte
			done := h.runUntil(2*time.Second, func() bool {
				var n int
				n, got = h.nCommitted(index)
				return n >= expected
			})
			if done && string(got) == string(data) {
				return index
			}
			if !retry {
				h.fatalf("one(%q) failed to reach agreement on %d nodes at index %d", data, expected, index)
			}
			h.run(50 * time.Millisecond)
		} else {
			h.run(50 * time.Millisecond)
		}
	}
	h.fatalf("one(%q) failed to reach agreement on %d nodes", data, expected)
	return 0
}

// wait is the labs' wait(): poll until at least n nodes applied index and
// return the payload there, or nil if some node moved past startTerm
// (startTerm 0: never give up early).
func (h *harness) wait(index uint64, n int, startTerm uint64) []byte {
	h.t.Helper()
	var data []byte
	giveUp := false
	ok := h.runUntil(5*time.Second, func() bool {
		var c int
		c, data = h.nCommitted(index)
		if c >= n {
			return true
		}
		if startTerm > 0 {
			for _, id := range h.s.IDs() {
				if st, up := h.s.Status(id); up && st.Term > startTerm {
					giveUp = true
					return true
				}
			}
		}
		return false
	})
	if giveUp {
		return nil
	}
	if !ok {
		h.fatalf("only %d decided for index %d; wanted %d", func() int { c, _ := h.nCommitted(index); return c }(), index, n)
	}
	return data
}

// checkLiveness heals every fault and checks that, within liveBound, the
// members of the committed configuration converge on one leader (with no
// configuration change pending) and have applied every proposal any node
// applied (a client saw it commit), and that a new proposal then commits
// on all of them.
func (h *harness) checkLiveness() {
	h.t.Helper()
	h.s.Heal()
	start := h.s.Now()
	var members []raft.NodeID
	converged := func() bool {
		cfg := h.s.CommittedConfig()
		members = cfg.IDs()
		var lead raft.NodeID
		var term uint64
		for _, id := range members {
			st, ok := h.s.Status(id)
			if !ok || st.Lead == raft.None {
				return false
			}
			if lead == raft.None {
				lead, term = st.Lead, st.Term
			} else if st.Lead != lead || st.Term != term {
				return false
			}
		}
		ls := h.s.CoreStatus(lead)
		if ls == nil || ls.Role != raft.RoleLeader || !slices.Equal(ls.Config.IDs(), members) {
			return false
		}
		acked := h.s.chk.applied
		var need uint64
		for i := len(acked) - 1; i >= 0; i-- {
			if acked[i].Type == raft.EntryNormal {
				need = acked[i].Index
				break
			}
		}
		for _, id := range members {
			if h.s.AppliedIndex(id) < need {
				return false
			}
		}
		return true
	}
	if !h.runUntil(liveBound, converged) {
		h.fatalf("liveness: %v after healing, the members %v have not converged on one leader with every acknowledged proposal applied", liveBound, h.s.CommittedConfig().IDs())
	}
	left := liveBound - (h.s.Now() - start)
	if left < 2*time.Second {
		left = 2 * time.Second
	}
	data := h.cmd()
	deadline := h.s.Now() + left
	for {
		for _, id := range h.leaderIDs() {
			h.s.Propose(id, data)
		}
		ok := h.runUntil(500*time.Millisecond, func() bool {
			p, placed := h.s.Placed(data)
			if !placed {
				return false
			}
			for _, id := range members {
				if e, ok := h.s.Applied(id, p.Index); !ok || string(e.Data) != string(data) {
					return false
				}
			}
			return true
		})
		if ok {
			return
		}
		if h.s.Now() >= deadline {
			h.fatalf("liveness: a proposal made after healing did not commit on every member %v within %v", members, liveBound)
		}
	}
}

// skipKnownBug skips a regression test of an open core bug (see
// CORE-BUGS.md in the worktree) unless RESQLITE_KNOWN_BUGS is set.
func skipKnownBug(t *testing.T, bug string) {
	t.Helper()
	if os.Getenv("RESQLITE_KNOWN_BUGS") == "" {
		t.Skipf("known core bug %s (set RESQLITE_KNOWN_BUGS=1 to run)", bug)
	}
}
