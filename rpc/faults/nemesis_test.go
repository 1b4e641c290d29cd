package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// schedule records what the nemesis did and when (since the run began).
type schedule struct {
	start time.Time
	mu    sync.Mutex
	evs   []event
}

// event is one nemesis action. leaderKilled is set on a SIGKILL of the
// node that led when it was killed.
type event struct {
	at           time.Duration
	what         string
	leaderKilled bool
}

func newSchedule() *schedule { return &schedule{start: time.Now()} }

// now is the time since the run began.
func (s *schedule) now() time.Duration { return time.Since(s.start) }

func (s *schedule) add(leaderKilled bool, format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evs = append(s.evs, event{at: s.now(), what: fmt.Sprintf(format, args...), leaderKilled: leaderKilled})
}

// leaderKills returns when a leader was killed.
func (s *schedule) leaderKills() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for _, e := range s.evs {
		if e.leaderKilled {
			out = append(out, e.at)
		}
	}
	return out
}

func (s *schedule) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, e := range s.evs {
		fmt.Fprintf(&b, "%9.3fs  %s\n", e.at.Seconds(), e.what)
	}
	return b.String()
}

// The nemeses.
const (
	nemKill      = "kill"
	nemRestart   = "restart"
	nemPause     = "pause"
	nemPartition = "partition"
	nemMix       = "mix"
)

// nemesis injects one kind of fault after another into a cluster until
// its context ends, each held for a random time and then healed.
type nemesis struct {
	kind  string
	c     *cluster
	rng   *rand.Rand
	sched *schedule
}

// run injects faults until ctx ends; each is held its full time (the
// last may outlast ctx) and healed before the next.
func (n *nemesis) run(ctx context.Context) {
	for wait(ctx, n.between(time.Second, 2*time.Second)) {
		kind := n.kind
		if kind == nemMix {
			kind = []string{nemKill, nemRestart, nemPause, nemPartition}[n.rng.IntN(4)]
		}
		var heal func()
		var hold time.Duration
		switch kind {
		case nemKill:
			heal, hold = n.kill(), n.between(500*time.Millisecond, 2500*time.Millisecond)
		case nemRestart:
			// A rolling restart: the node is started again at once.
			heal, hold = n.restart(), 0
		case nemPause:
			// Longer than the longest election timeout (raft's default
			// 16 ticks of 50ms, randomized up to twice that).
			heal, hold = n.pause(), n.between(2*time.Second, 4*time.Second)
		default:
			heal, hold = n.partition(), n.between(2*time.Second, 4*time.Second)
		}
		wait(context.Background(), hold)
		heal()
	}
}

// wait waits d, or until ctx ends (false).
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (n *nemesis) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(n.rng.Int64N(int64(hi-lo)))
}

// victim picks the leader three times in four (when there is one), else
// any node; it reports whether the pick leads.
func (n *nemesis) victim() (int, bool) {
	leader := n.c.leader()
	if leader != 0 && n.rng.IntN(4) != 0 {
		return leader, true
	}
	id := 1 + n.rng.IntN(n.c.size)
	return id, id == leader
}

func role(isLeader bool) string {
	if isLeader {
		return " (leader)"
	}
	return ""
}

func (n *nemesis) kill() func() {
	id, leader := n.victim()
	n.c.kill(id)
	n.sched.add(leader, "SIGKILL node %d%s", id, role(leader))
	return func() {
		n.c.start(id)
		n.sched.add(false, "restart node %d", id)
	}
}

// restart stops the leader gracefully (SIGTERM: it hands leadership to
// the most up-to-date voter before it exits), as an operator's rolling
// restart does; the heal starts it again.
func (n *nemesis) restart() func() {
	id, leader := n.c.leader(), true
	if id == 0 {
		id, leader = 1+n.rng.IntN(n.c.size), false
	}
	n.c.stop(id)
	n.sched.add(false, "SIGTERM node %d%s, exited", id, role(leader))
	return func() {
		n.c.start(id)
		n.sched.add(false, "restart node %d", id)
	}
}

func (n *nemesis) pause() func() {
	id, leader := n.victim()
	n.c.pause(id, true)
	n.sched.add(false, "SIGSTOP node %d%s", id, role(leader))
	return func() {
		n.c.pause(id, false)
		n.sched.add(false, "SIGCONT node %d", id)
	}
}

// partition cuts the cluster in one of several ways: one node isolated,
// the leader isolated, a random minority|majority split, a split with the
// leader in the minority, and one-way cuts of the leader's incoming or
// outgoing traffic.
func (n *nemesis) partition() func() {
	leader := n.c.leader()
	if leader == 0 {
		leader = 1 + n.rng.IntN(n.c.size)
	}
	all := n.rng.Perm(n.c.size)
	for i := range all {
		all[i]++
	}
	minority := n.c.size / 2
	var cuts [][2]int
	var what string
	switch n.rng.IntN(6) {
	case 0:
		cuts, what = split(all[:1], all[1:]), fmt.Sprintf("isolate node %d", all[0])
	case 1:
		cuts, what = split([]int{leader}, others(all, leader)), fmt.Sprintf("isolate leader %d", leader)
	case 2:
		cuts, what = split(all[:minority], all[minority:]), fmt.Sprintf("split %v | %v", all[:minority], all[minority:])
	case 3:
		rest := others(all, leader)
		minor := append([]int{leader}, rest[:minority-1]...)
		cuts, what = split(minor, rest[minority-1:]), fmt.Sprintf("split %v | %v (leader %d in the minority)", minor, rest[minority-1:], leader)
	case 4:
		for _, o := range others(all, leader) {
			cuts = append(cuts, [2]int{o, leader})
		}
		what = fmt.Sprintf("one-way: nothing reaches leader %d", leader)
	default:
		for _, o := range others(all, leader) {
			cuts = append(cuts, [2]int{leader, o})
		}
		what = fmt.Sprintf("one-way: nothing from leader %d gets out", leader)
	}
	n.c.partition(cuts)
	n.sched.add(false, "partition: %s", what)
	return func() {
		n.c.partition(nil)
		n.sched.add(false, "heal partition")
	}
}

// split cuts every pair across groups a and b, both ways.
func split(a, b []int) [][2]int {
	var cuts [][2]int
	for _, x := range a {
		for _, y := range b {
			cuts = append(cuts, [2]int{x, y}, [2]int{y, x})
		}
	}
	return cuts
}

func others(all []int, not int) []int {
	var out []int
	for _, id := range all {
		if id != not {
			out = append(out, id)
		}
	}
	return out
}
