package wal

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// crashLog is a closed store directory built for crash tests, with the
// facts needed to say what a damaged copy must recover.
type crashLog struct {
	dir     string
	ents    []raft.Entry // the whole log, from index 1
	hsFinal raft.HardState
	hsPrev  raft.HardState // before the last Save
	segs    []crashSegment
}

type crashSegment struct {
	path    string
	data    []byte
	records []crashRecord
	end     int64 // end of the last record
}

type crashRecord struct {
	off, size int64
	typ       recordType
	index     uint64         // for entry records
	hs        raft.HardState // for hard state records
}

// buildCrashLog writes batches of varied entries over several segments;
// the last Save writes a hard state and two entries.
func buildCrashLog(t *testing.T, rng *rand.Rand) *crashLog {
	dir := t.TempDir()
	s := openT(t, dir)
	cl := &crashLog{dir: dir}
	hs := raft.HardState{Term: 1, Vote: 1}
	next := uint64(1)
	sinceRoll := 0
	for next < 120 || sinceRoll < 2 || s.segs[len(s.segs)-1].size-s.snapshotReserve()-s.segs[len(s.segs)-1].end < 400 {
		segs := len(s.segs)
		n := 1 + rng.Intn(8)
		var batch []raft.Entry
		for i := 0; i < n; i++ {
			batch = append(batch, raft.Entry{Index: next, Term: hs.Term, Data: payload(next, hs.Term, rng.Intn(300))})
			next++
		}
		hs.Commit = next - 1
		mustSave(t, s, hs, batch)
		cl.ents = append(cl.ents, batch...)
		sinceRoll++
		if len(s.segs) != segs {
			sinceRoll = 0
		}
	}
	cl.hsPrev = hs
	hs = raft.HardState{Term: 2, Vote: 3, Commit: next - 1}
	batch := []raft.Entry{
		{Index: next, Term: 2, Type: raft.EntryNoop},
		{Index: next + 1, Term: 2, Data: payload(next+1, 2, 90)},
	}
	mustSave(t, s, hs, batch)
	cl.ents = append(cl.ents, batch...)
	cl.hsFinal = hs
	s.Close()
	for _, path := range segmentFiles(t, dir) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		seg := crashSegment{path: path, data: b}
		for off := int64(0); ; {
			typ, data, size, err := decodeRecord(b[off:])
			if err != nil {
				break
			}
			r := crashRecord{off: off, size: int64(size), typ: typ}
			switch typ {
			case recEntry:
				e, _ := decodeEntryHeader(data)
				r.index = e.Index
			case recHardState:
				r.hs, _ = decodeHardState(data)
			}
			seg.records = append(seg.records, r)
			off += int64(size)
			seg.end = off
		}
		cl.segs = append(cl.segs, seg)
	}
	return cl
}

// damagedCopy copies cl's directory into dst with file path replaced by
// data.
func (cl *crashLog) damagedCopy(t *testing.T, dst, path string, data []byte) string {
	os.RemoveAll(dst)
	copyDir(t, cl.dir, dst)
	rel, _ := filepath.Rel(cl.dir, path)
	target := filepath.Join(dst, rel)
	if err := os.WriteFile(target, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return target
}

// TestTornTailEveryOffset cuts the last segment at every byte offset of
// its last four records, both as a shorter file and as zeros in the
// preallocated space (with -short only the latter), and checks reopen
// recovers exactly the complete records before the cut and reports a torn
// tail exactly when the cut splits a record.
func TestTornTailEveryOffset(t *testing.T) {
	cl := buildCrashLog(t, rand.New(rand.NewSource(1)))
	last := cl.segs[len(cl.segs)-1]
	if len(last.records) < 5 {
		t.Fatalf("last segment holds %d records; the test needs more", len(last.records))
	}
	region := last.records[len(last.records)-4:]
	boundaries := map[int64]bool{}
	for _, r := range region {
		boundaries[r.off] = true
	}
	work := filepath.Join(t.TempDir(), "node")
	copyDir(t, cl.dir, work)
	rel, _ := filepath.Rel(cl.dir, last.path)
	modes := []bool{true, false} // zeroed preallocated space, shorter file
	if testing.Short() {
		modes = modes[:1]
	}
	for c := region[0].off; c <= last.end; c++ {
		for _, zeroFill := range modes {
			img := append([]byte(nil), last.data[:c]...)
			if zeroFill {
				img = append(img, make([]byte, len(last.data)-int(c))...)
			}
			if err := os.WriteFile(filepath.Join(work, rel), img, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Open(work, Options{SegmentSize: testSegmentSize})
			if err != nil {
				t.Fatalf("cut at %d (zero fill %v): Open: %v", c, zeroFill, err)
			}
			// Expected: the records wholly before c (a Save may write
			// a hard state before and after its entries).
			lastIndex, hs := uint64(0), raft.HardState{}
			for _, r := range last.records {
				if r.off+r.size > c {
					break
				}
				switch r.typ {
				case recEntry:
					lastIndex = r.index
				case recHardState:
					hs = r.hs
				}
			}
			if lastIndex == 0 || hs.IsEmpty() {
				t.Fatal("the last segment holds no entry or hard state before the torn region")
			}
			checkLog(t, s, 1, cl.ents[:lastIndex], hs)
			torn := s.Recovery().TornFile != ""
			if wantTorn := !boundaries[c] && c != last.end; torn != wantTorn {
				t.Fatalf("cut at %d (zero fill %v): torn tail reported %v, want %v", c, zeroFill, torn, wantTorn)
			}
			if c%5 == 0 { // the recovered log takes appends and survives a reopen
				more := makeEntries(lastIndex+1, lastIndex+3, 3, 40)
				mustSave(t, s, raft.HardState{Term: 3}, more)
				s = reopen(t, s)
				checkLog(t, s, 1, append(cl.ents[:lastIndex:lastIndex], more...), raft.HardState{Term: 3})
				s.Close()
				os.RemoveAll(work)
				copyDir(t, cl.dir, work)
				continue
			}
			s.Close()
		}
	}
}

// TestBitFlips flips one bit at random offsets of the log's records: every
// flip must make Open fail naming the file and the offset of the damaged
// record, and Repair must then recover exactly the records before it. A
// flip in the unused, preallocated tail of the last segment is a torn
// tail instead; in a sealed segment's tail, corruption at its end.
func TestBitFlips(t *testing.T) {
	seeds := seedCount(300, 60)
	cl := buildCrashLog(t, rand.New(rand.NewSource(2)))
	work := filepath.Join(t.TempDir(), "node")
	for seed := 0; seed < seeds; seed++ {
		rng := rand.New(rand.NewSource(int64(seed)))
		si := rng.Intn(len(cl.segs))
		seg := cl.segs[si]
		isLast := si == len(cl.segs)-1
		inTail := rng.Intn(4) == 0
		var off int64
		if inTail {
			off = seg.end + rng.Int63n(int64(len(seg.data))-seg.end)
		} else {
			off = rng.Int63n(seg.end)
		}
		img := append([]byte(nil), seg.data...)
		img[off] ^= 1 << rng.Intn(8)
		path := cl.damagedCopy(t, work, seg.path, img)
		s, err := Open(work, Options{SegmentSize: testSegmentSize})
		switch {
		case inTail && isLast:
			if err != nil {
				t.Fatalf("seed %d: flip at %s:%d in the unused tail: %v", seed, path, off, err)
			}
			if r := s.Recovery(); r.TornOffset != seg.end || r.TornBytes == 0 {
				t.Fatalf("seed %d: flip in the unused tail: recovery %+v", seed, r)
			}
			checkLog(t, s, 1, cl.ents, cl.hsFinal)
			s.Close()
			continue
		case inTail:
			ce := asCorruption(err)
			if ce == nil || ce.File != path || ce.Offset != seg.end {
				t.Fatalf("seed %d: flip at %s:%d in a sealed segment's tail: %v", seed, path, off, err)
			}
			continue
		}
		var rec crashRecord
		for _, r := range seg.records {
			if r.off <= off && off < r.off+r.size {
				rec = r
			}
		}
		ce := asCorruption(err)
		if ce == nil || ce.File != path || ce.Offset != rec.off {
			t.Fatalf("seed %d: flip at %s:%d (record at %d): Open: %v; want corruption at the record", seed, path, off, rec.off, err)
		}
		s, err = Open(work, Options{SegmentSize: testSegmentSize, Repair: true})
		if err != nil {
			t.Fatalf("seed %d: Open with Repair: %v", seed, err)
		}
		// What survives: entries whose records precede the damaged one.
		var lastIndex uint64
		for _, sg := range cl.segs[:si+1] {
			for _, r := range sg.records {
				if sg.path == seg.path && r.off >= rec.off {
					break
				}
				if r.typ == recEntry {
					lastIndex = r.index
				}
			}
		}
		if rec.off == 0 && si == 0 {
			lastIndex = 0 // the first segment's header is gone: nothing is left
		}
		li, _ := s.LastIndex()
		got, err := s.Entries(1, li+1, ^uint64(0))
		if li != lastIndex || err != nil || sameEntries(got, cl.ents[:lastIndex]) != nil {
			t.Fatalf("seed %d: after repair at %s:%d: last index %d (want %d), %v", seed, path, rec.off, li, lastIndex, err)
		}
		s.Close()
	}
}

// TestDamageBeforeValidRecordsIsCorruption: a record in the last segment
// whose start is zeroed, or whose end marker is zeroed, with complete
// records after it, is not a torn append (truncating would drop synced
// data): Open must refuse and name the damaged record.
func TestDamageBeforeValidRecordsIsCorruption(t *testing.T) {
	cl := buildCrashLog(t, rand.New(rand.NewSource(3)))
	last := cl.segs[len(cl.segs)-1]
	r := last.records[len(last.records)-3]
	damage := map[string]func(img []byte){
		"zeroed record":      func(img []byte) { clear(img[r.off : r.off+r.size]) },
		"zeroed end marker":  func(img []byte) { img[r.off+r.size-1] = 0 },
		"zeroed second half": func(img []byte) { clear(img[r.off+r.size/2 : r.off+r.size]) },
	}
	for name, fn := range damage {
		img := append([]byte(nil), last.data...)
		fn(img)
		work := filepath.Join(t.TempDir(), "node")
		path := cl.damagedCopy(t, work, last.path, img)
		_, err := Open(work, Options{SegmentSize: testSegmentSize})
		ce := asCorruption(err)
		if ce == nil || ce.File != path || ce.Offset != r.off {
			t.Fatalf("%s before valid records: %v; want corruption at %s:%d", name, err, path, r.off)
		}
		if name == "zeroed record" && !bytes.Contains([]byte(ce.Reason), []byte("valid record")) {
			t.Fatalf("%s: reason %q does not name the valid record after it", name, ce.Reason)
		}
	}
}
