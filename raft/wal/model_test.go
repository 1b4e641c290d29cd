package wal

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// TestAgainstMemoryStorage drives the store and raft.MemoryStorage with
// the same random operations (appends, conflicting suffixes, hard state
// changes, snapshots created and installed, compactions, invalid requests)
// over small segments, compares everything observable after each one, and
// reopens the store every few operations.
func TestAgainstMemoryStorage(t *testing.T) {
	seeds, ops := 20, 80
	if testing.Short() {
		seeds = 6
	}
	for seed := int64(0); seed < int64(seeds); seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			runModel(t, seed, ops)
		})
	}
}

func runModel(t *testing.T, seed int64, ops int) {
	rng := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	s := openT(t, dir)
	defer func() { s.Close() }()
	m := raft.NewMemoryStorage()
	hs := raft.HardState{Term: 1}
	for op := 0; op < ops; op++ {
		first, _ := m.FirstIndex()
		last, _ := m.LastIndex()
		snap, _ := m.Snapshot()
		var desc string
		var errS, errM error
		switch r := rng.Intn(100); {
		case r < 55: // append, sometimes replacing a suffix
			if rng.Intn(4) == 0 {
				hs.Term++
				hs.Vote = raft.NodeID(rng.Intn(4))
			}
			hs.Commit = uint64(rng.Int63n(int64(last) + 1))
			start := last + 1
			if rng.Intn(4) == 0 {
				start = first + uint64(rng.Int63n(int64(last-first)+2))
			}
			if rng.Intn(10) == 0 && start > 3 {
				start -= 3 // partly before the first index
			}
			ents := randomEntries(rng, start, rng.Intn(10), hs.Term)
			desc = fmt.Sprintf("Save(%+v, %d entries from %d)", hs, len(ents), start)
			errS, errM = s.Save(hs, ents), m.Save(hs, ents)
		case r < 65:
			idx := first - 1 + uint64(rng.Int63n(int64(last-first)+2))
			term, _ := m.Term(idx)
			if rng.Intn(5) == 0 {
				term++ // wrong term: both must refuse
			}
			meta := raft.SnapshotMeta{Index: idx, Term: term, Config: randomConfig(rng)}
			desc = fmt.Sprintf("CreateSnapshot(%d/%d)", idx, term)
			errS, errM = s.CreateSnapshot(meta), m.CreateSnapshot(meta)
		case r < 78:
			idx := first + uint64(rng.Int63n(max(int64(snap.Index)-int64(first)+3, 1)))
			desc = fmt.Sprintf("Compact(%d)", idx)
			errS, errM = s.Compact(idx), m.Compact(idx)
		case r < 83:
			meta := raft.SnapshotMeta{Index: snap.Index + uint64(rng.Int63n(max(int64(last)-int64(snap.Index)+5, 1))), Term: hs.Term, Config: randomConfig(rng)}
			desc = fmt.Sprintf("ApplySnapshot(%d/%d)", meta.Index, meta.Term)
			errS, errM = s.ApplySnapshot(meta), m.ApplySnapshot(meta)
		case r < 88: // a gap
			desc = "Save with a gap"
			ents := randomEntries(rng, last+2, 1+rng.Intn(3), hs.Term)
			errS, errM = s.Save(raft.HardState{}, ents), m.Save(raft.HardState{}, ents)
		default:
			desc = "reopen"
			s = reopen(t, s)
		}
		if (errS == nil) != (errM == nil) {
			t.Fatalf("op %d %s: store error %v, memory storage error %v", op, desc, errS, errM)
		}
		compareStores(t, fmt.Sprintf("op %d %s", op, desc), s, m)
	}
	s = reopen(t, s)
	compareStores(t, "final reopen", s, m)
}

func randomEntries(rng *rand.Rand, start uint64, n int, term uint64) []raft.Entry {
	ents := make([]raft.Entry, n)
	for i := range ents {
		e := raft.Entry{Index: start + uint64(i), Term: term, Data: payload(start+uint64(i), term, rng.Intn(400))}
		switch rng.Intn(10) {
		case 0:
			e.Type, e.Data = raft.EntryNoop, nil
		case 1:
			e.Type, e.Data = raft.EntryConfig, raft.EncodeConfiguration(randomConfig(rng))
		}
		ents[i] = e
	}
	return ents
}

func randomConfig(rng *rand.Rand) raft.Configuration {
	var c raft.Configuration
	for id := 1; id <= 1+rng.Intn(4); id++ {
		c.Members = append(c.Members, raft.Member{ID: raft.NodeID(id), Addr: fmt.Sprintf("127.0.0.1:%d", 7000+rng.Intn(100)), Learner: rng.Intn(4) == 0})
	}
	return c
}

// compareStores fails unless a and b agree on everything Storage shows.
func compareStores(t *testing.T, when string, a, b raft.Storage) {
	t.Helper()
	fa, _ := a.FirstIndex()
	fb, _ := b.FirstIndex()
	la, _ := a.LastIndex()
	lb, _ := b.LastIndex()
	if fa != fb || la != lb {
		t.Fatalf("%s: store holds [%d, %d], memory storage [%d, %d]", when, fa, la, fb, lb)
	}
	for i := fa - 1; i <= la; i++ {
		ta, ea := a.Term(i)
		tb, eb := b.Term(i)
		if ta != tb || (ea == nil) != (eb == nil) {
			t.Fatalf("%s: Term(%d) = %d, %v; memory storage %d, %v", when, i, ta, ea, tb, eb)
		}
	}
	if la >= fa {
		ea, err := a.Entries(fa, la+1, ^uint64(0))
		if err != nil {
			t.Fatalf("%s: Entries: %v", when, err)
		}
		eb, _ := b.Entries(fb, lb+1, ^uint64(0))
		if err := sameEntries(ea, eb); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
	}
	hsa, ca, erra := a.InitialState()
	hsb, cb, errb := b.InitialState()
	if hsa != hsb || erra != nil || errb != nil || !reflect.DeepEqual(ca.Clone(), cb.Clone()) {
		t.Fatalf("%s: InitialState %+v %+v %v; memory storage %+v %+v %v", when, hsa, ca, erra, hsb, cb, errb)
	}
	sa, _ := a.Snapshot()
	sb, _ := b.Snapshot()
	if sa.Index != sb.Index || sa.Term != sb.Term || !reflect.DeepEqual(sa.Config.Clone(), sb.Config.Clone()) {
		t.Fatalf("%s: Snapshot %+v; memory storage %+v", when, sa, sb)
	}
}
