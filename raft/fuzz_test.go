package raft

import (
	"math/rand/v2"
	"testing"
)

// FuzzStep feeds a core arbitrary message sequences derived from the fuzz
// input; the core must never panic, stop, or break its basic invariants.
// `go test` runs the seeds; `go test -fuzz FuzzStep ./raft/` explores.
func FuzzStep(f *testing.F) {
	for _, seed := range []uint64{0, 1, 2, 42, 1 << 40} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(7))
	}
	f.Fuzz(func(t *testing.T, seed uint64, flags uint8) {
		r := rand.New(rand.NewPCG(seed, uint64(flags)))
		store := NewMemoryStorage()
		c := newTestCore(t, 1, ids(3), store, func(cfg *Config) {
			cfg.PreVote = flags&1 != 0
			cfg.CheckQuorum = flags&2 != 0
			cfg.LeaseRead = flags&6 == 6
			cfg.EagerCommit = flags&8 != 0
		})
		for range 200 {
			if r.IntN(8) == 0 {
				c.Tick()
			} else {
				c.Step(randomMessage(r, 1))
			}
			if err := c.Err(); err != nil {
				t.Fatalf("core stopped: %v", err)
			}
			persistAll(t, c, store)
			if c.Committed() > c.LastIndex() || c.Applied() > c.Committed() {
				t.Fatalf("commit %d last %d applied %d", c.Committed(), c.LastIndex(), c.Applied())
			}
		}
	})
}
