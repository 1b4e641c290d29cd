package wal

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
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
	seeds, ops := seedCount(20, 6), 80
	for seed := int64(0); seed < int64(seeds); seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			runModel(t, seed, ops, false)
		})
	}
}

// TestPowerCutDuringRandomOps runs the differential test and, before a
// third of the operations, keeps a copy of the directory; the copy plus a
// random prefix of what the operation appended is the image a power cut
// would leave. It must open as the model before the operation plus the
// records complete at the cut: every torn batch recovers a prefix.
func TestPowerCutDuringRandomOps(t *testing.T) {
	seeds, ops := seedCount(8, 3), 80
	for seed := int64(100); seed < 100+int64(seeds); seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			runModel(t, seed, ops, true)
		})
	}
}

func runModel(t *testing.T, seed int64, ops int, powerCuts bool) {
	rng := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	s := openT(t, dir)
	defer func() { s.Close() }()
	m := raft.NewMemoryStorage()
	var history []storeOp // what succeeded on m, to rebuild it
	hs := raft.HardState{Term: 1}
	for op := 0; op < ops; op++ {
		first, _ := m.FirstIndex()
		last, _ := m.LastIndex()
		snap, _ := m.Snapshot()
		var desc string
		var fn storeOp
		switch r := rng.Intn(100); {
		case r < 55: // append, sometimes replacing a suffix
			if rng.Intn(4) == 0 {
				hs.Term++
				hs.Vote = raft.NodeID(rng.Intn(4))
			}
			start := last + 1
			if rng.Intn(4) == 0 {
				start = first + uint64(rng.Int63n(int64(last-first)+2))
			}
			if rng.Intn(10) == 0 && start > 3 {
				start -= 3 // partly before the first index
			}
			ents := randomEntries(rng, start, rng.Intn(10), hs.Term)
			newLast := last
			if len(ents) > 0 {
				newLast = max(start+uint64(len(ents))-1, first-1)
			}
			hs.Commit = uint64(rng.Int63n(int64(newLast) + 1)) // may commit some of ents
			h := hs
			desc = fmt.Sprintf("Save(%+v, %d entries from %d)", hs, len(ents), start)
			fn = func(st raft.LogStore) error { return st.Save(h, ents) }
		case r < 65:
			idx := first - 1 + uint64(rng.Int63n(int64(last-first)+2))
			term, _ := m.Term(idx)
			if rng.Intn(5) == 0 {
				term++ // wrong term: both must refuse
			}
			meta := raft.SnapshotMeta{Index: idx, Term: term, Config: randomConfig(rng)}
			desc = fmt.Sprintf("CreateSnapshot(%d/%d)", idx, term)
			fn = func(st raft.LogStore) error { return st.CreateSnapshot(meta) }
		case r < 78:
			idx := first + uint64(rng.Int63n(max(int64(snap.Index)-int64(first)+3, 1)))
			desc = fmt.Sprintf("Compact(%d)", idx)
			fn = func(st raft.LogStore) error { return st.Compact(idx) }
		case r < 83:
			meta := raft.SnapshotMeta{Index: snap.Index + uint64(rng.Int63n(max(int64(last)-int64(snap.Index)+5, 1))), Term: hs.Term, Config: randomConfig(rng)}
			desc = fmt.Sprintf("ApplySnapshot(%d/%d)", meta.Index, meta.Term)
			fn = func(st raft.LogStore) error { return st.ApplySnapshot(meta) }
		case r < 88: // a gap
			desc = "Save with a gap"
			ents := randomEntries(rng, last+2, 1+rng.Intn(3), hs.Term)
			fn = func(st raft.LogStore) error { return st.Save(raft.HardState{}, ents) }
		default:
			desc = "reopen"
			s = reopen(t, s)
			compareStores(t, fmt.Sprintf("op %d %s", op, desc), s, m)
			continue
		}
		var cut *powerCut
		if powerCuts && rng.Intn(3) == 0 {
			cut = preparePowerCut(t, s)
		}
		errS, errM := fn(s), fn(m)
		if (errS == nil) != (errM == nil) {
			t.Fatalf("op %d %s: store error %v, memory storage error %v", op, desc, errS, errM)
		}
		if errM == nil {
			history = append(history, fn)
		}
		compareStores(t, fmt.Sprintf("op %d %s", op, desc), s, m)
		if cut != nil && errS == nil {
			cut.check(t, fmt.Sprintf("op %d %s", op, desc), s, history[:len(history)-1], rng)
		}
	}
	s = reopen(t, s)
	compareStores(t, "final reopen", s, m)
}

// storeOp is one operation of the differential test.
type storeOp func(raft.LogStore) error

// powerCut is a copy of a store directory taken before an operation; it
// becomes the image a power cut during that operation's write leaves.
type powerCut struct {
	dir     string
	segPath string // last segment before the operation
	segEnd  int64
}

func preparePowerCut(t *testing.T, s *Store) *powerCut {
	t.Helper()
	s.mu.RLock()
	seg := s.segs[len(s.segs)-1]
	pc := &powerCut{dir: filepath.Join(t.TempDir(), "image"), segPath: seg.path, segEnd: seg.end}
	s.mu.RUnlock()
	copyDir(t, s.Dir(), pc.dir)
	return pc
}

// check builds the image of a power cut at a random byte of what the
// operation just appended (everything before it durable, nothing after
// it written, old segments not yet removed), opens it, and compares it
// with the model before the operation plus the records that were
// complete at the cut.
func (pc *powerCut) check(t *testing.T, when string, s *Store, before []storeOp, rng *rand.Rand) {
	t.Helper()
	s.mu.RLock()
	seg := s.segs[len(s.segs)-1]
	path, end := seg.path, seg.end
	s.mu.RUnlock()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	from := pc.segEnd
	if path != pc.segPath { // rolled: the new segment's header was durable first
		_, _, hsize, err := decodeRecord(data)
		if err != nil {
			t.Fatalf("%s: new segment header: %v", when, err)
		}
		from = int64(hsize)
	}
	if end <= from {
		return // the operation wrote nothing
	}
	c := from + rng.Int63n(end-from+1)
	img := append(append([]byte(nil), data[:c]...), make([]byte, len(data)-int(c))...)
	rel, _ := filepath.Rel(s.Dir(), path)
	if err := os.WriteFile(filepath.Join(pc.dir, rel), img, 0o644); err != nil {
		t.Fatal(err)
	}
	// Expected: the model before, plus each record complete at the cut.
	m := raft.NewMemoryStorage()
	for _, op := range before {
		op(m)
	}
	wasConsistent := commitWithinLog(m) && commitWithinLog(s)
	for off := from; ; {
		typ, rec, size, err := decodeRecord(img[off:c])
		if err != nil {
			break
		}
		off += int64(size)
		if err := applyRecord(m, typ, rec); err != nil {
			t.Fatalf("%s: record at %d does not apply to the model: %v", when, off-int64(size), err)
		}
	}
	got, err := Open(pc.dir, Options{SegmentSize: testSegmentSize})
	if err != nil {
		t.Fatalf("%s: power cut at %s:%d (appended %d..%d): Open: %v", when, path, c, from, end, err)
	}
	compareStores(t, fmt.Sprintf("%s, power cut at byte %d of %d..%d", when, c, from, end), got, m)
	if wasConsistent && !commitWithinLog(got) {
		hs, _, _ := got.InitialState()
		last, _ := got.LastIndex()
		t.Fatalf("%s: power cut at byte %d of %d..%d recovers commit %d past the last index %d (a node cannot restart on it)",
			when, c, from, end, hs.Commit, last)
	}
	got.Close()
}

// commitWithinLog reports whether st's commit index is within its log, as
// a restart requires (raft.NewCore refuses a stored commit past the last
// index). A power cut between two such states must leave one too.
func commitWithinLog(st raft.Storage) bool {
	hs, _, err := st.InitialState()
	last, lerr := st.LastIndex()
	return err == nil && lerr == nil && hs.Commit <= last
}

// applyRecord applies the meaning of one log record to a MemoryStorage.
func applyRecord(m *raft.MemoryStorage, typ recordType, data []byte) error {
	switch typ {
	case recHardState:
		hs, err := decodeHardState(data)
		if err != nil {
			return err
		}
		return m.Save(hs, nil)
	case recEntry:
		e, err := decodeEntry(data)
		if err != nil {
			return err
		}
		return m.Save(raft.HardState{}, []raft.Entry{e})
	case recSnapshot:
		meta, kind, err := decodeSnapshotRecord(data)
		if err != nil {
			return err
		}
		if kind == snapshotInstalled {
			return m.ApplySnapshot(meta)
		}
		return m.CreateSnapshot(meta)
	case recCompaction:
		first, _, err := decodeCompaction(data)
		if err != nil {
			return err
		}
		return m.Compact(first)
	}
	return fmt.Errorf("unexpected record type %d", typ)
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
	if fa >= 2 {
		_, ea := a.Term(fa - 2)
		_, eb := b.Term(fa - 2)
		_, xa := a.Entries(fa-1, la+1, ^uint64(0))
		_, xb := b.Entries(fa-1, la+1, ^uint64(0))
		if !errors.Is(ea, raft.ErrCompacted) || !errors.Is(eb, raft.ErrCompacted) ||
			!errors.Is(xa, raft.ErrCompacted) || !errors.Is(xb, raft.ErrCompacted) {
			t.Fatalf("%s: below the first index %d: Term %v / %v, Entries %v / %v; want ErrCompacted", when, fa, ea, eb, xa, xb)
		}
	}
	if la >= fa {
		for _, maxBytes := range []uint64{0, 150, 1000} {
			pa, _ := a.Entries(fa, la+1, maxBytes)
			pb, _ := b.Entries(fa, la+1, maxBytes)
			if err := sameEntries(pa, pb); err != nil {
				t.Fatalf("%s: Entries(%d, %d, %d): %v", when, fa, la+1, maxBytes, err)
			}
		}
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
