package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// These tests break the simulation on purpose and require the checker to
// notice: they show that the invariants checked elsewhere can fail.

// chaos drives s for d of virtual time without a harness: writes at every
// leader, reads at random nodes, and (with leaderFaults) the leader cut
// off or crashed every few hundred milliseconds. It returns the first
// violation.
func chaos(s *Sim, d time.Duration, leaderFaults bool) error {
	r := s.Rand()
	cmds := 0
	end := s.Now() + d
	for s.Now() < end && s.Err() == nil {
		for _, id := range s.IDs() {
			cmds++
			s.Propose(id, []byte(fmt.Sprintf("x%d", cmds)))
		}
		if r.IntN(2) == 0 {
			s.Read(raft.NodeID(r.IntN(len(s.nodes)) + 1))
		} else {
			s.ReadLease(raft.NodeID(r.IntN(len(s.nodes)) + 1))
		}
		if leaderFaults && r.IntN(20) == 0 {
			for _, id := range s.IDs() {
				if st, ok := s.Status(id); ok && st.Role == raft.RoleLeader {
					if r.IntN(2) == 0 {
						s.Crash(id)
					} else {
						var rest []raft.NodeID
						for _, o := range s.IDs() {
							if o != id {
								rest = append(rest, o)
							}
						}
						s.Partition([]raft.NodeID{id}, rest)
					}
				}
			}
		}
		if r.IntN(10) == 0 {
			s.HealPartitions()
			for _, id := range s.IDs() {
				s.Restart(id)
			}
		}
		if err := s.RunFor(time.Duration(5+r.IntN(40)) * time.Millisecond); err != nil {
			return err
		}
	}
	return s.Err()
}

// expectViolation runs chaos on up to seeds seeds and requires one of
// them to report a violation containing one of wants.
func expectViolation(t *testing.T, opts Options, seeds int, d time.Duration, leaderFaults bool, wants ...string) {
	t.Helper()
	for seed := 1; seed <= seeds; seed++ {
		opts.Seed = uint64(seed)
		s, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		err = chaos(s, d, leaderFaults)
		if err == nil {
			continue
		}
		for _, w := range wants {
			if strings.Contains(err.Error(), w) {
				t.Logf("seed %d: caught: %v", seed, err)
				return
			}
		}
		t.Fatalf("seed %d: unexpected violation (want one of %q): %v", seed, wants, err)
	}
	t.Fatalf("no seed out of %d showed a violation %q; the checker missed a broken driver", seeds, wants)
}

// TestCheckerCatchesUndurableVotes: a driver that never persists the
// HardState grants votes and sends messages of terms that are not durable.
func TestCheckerCatchesUndurableVotes(t *testing.T) {
	o := labOptions(3)
	o.mutation = mutSkipHardState
	expectViolation(t, o, 5, 5*time.Second, false, "durable")
}

// TestCheckerCatchesUnsyncedSends: a driver whose messages leave while
// its writes are still being fsynced acknowledges entries and announces
// votes that a crash could still undo.
func TestCheckerCatchesUnsyncedSends(t *testing.T) {
	o := labOptions(3)
	o.mutation = mutSendUnsynced
	o.MaxFsyncDelay = 20 * time.Millisecond
	expectViolation(t, o, 5, 5*time.Second, false, "durable")
}

// TestCheckerCatchesApplyOnTheStepFunction: a driver that waits for a
// slow state machine stops ticking, so its heartbeats stop and followers
// time out under a live leader (issue 11); the heartbeat-gap check must
// say so.
func TestCheckerCatchesApplyOnTheStepFunction(t *testing.T) {
	o := labOptions(3)
	o.mutation = mutApplyBlocks
	o.SlowApply = true
	expectViolation(t, o, 50, 20*time.Second, false, "sent no heartbeat")
}

// TestCheckerCatchesLostAcknowledgedEntries: a disk whose fsync lies (a
// crash loses entries already acknowledged) eventually loses committed
// entries, which the safety checks must report.
func TestCheckerCatchesLostAcknowledgedEntries(t *testing.T) {
	o := labOptions(3)
	o.mutation = mutLoseTail
	o.VolatileStateMachine = true
	expectViolation(t, o, 200, 20*time.Second, true,
		"Log Matching", "Leader Completeness", "State Machine Safety", "committed", "stale read")
}

// TestCheckerCatchesLeaseOverlap: with clocks drifting far beyond the
// bound leases are designed for (±60%, where the lease allows 10% between
// nodes), a deposed leader's lease outlives the election of its
// successor; the one-lease-at-a-time check (or the stale-read check) must
// notice.
func TestCheckerCatchesLeaseOverlap(t *testing.T) {
	o := labOptions(5)
	o.LeaseRead = true
	o.ClockDrift = 0.6
	expectViolation(t, o, 1000, 20*time.Second, true, "both hold a leader lease", "stale read")
}
