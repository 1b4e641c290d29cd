package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// FuzzDecodeRecord: any byte string either decodes to a record that
// re-encodes to the same bytes, or returns an error; decoding never
// panics. (TestDecodeRecordNeverAllocates covers allocation.)
func FuzzDecodeRecord(f *testing.F) {
	f.Add(appendRecord(nil, recEntry, appendEntry(nil, raft.Entry{Index: 1, Term: 2, Data: []byte("x")})))
	f.Add(appendRecord(nil, recHardState, appendHardState(nil, raft.HardState{Term: 1, Vote: 2, Commit: 3})))
	f.Add(appendRecord(nil, recSegmentHeader, appendSegmentHeader(nil, segmentHeader{seq: 1, first: 1})))
	f.Add(appendRecord(nil, recSnapshot, appendSnapshotRecord(nil, raft.SnapshotMeta{Index: 5, Term: 1,
		Config: raft.Configuration{Members: []raft.Member{{ID: 1, Addr: "a"}}}}, snapshotCreated)))
	f.Add(make([]byte, 64))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, data, size, err := decodeRecord(b)
		if err != nil {
			return
		}
		if size > len(b) || size%recordAlign != 0 {
			t.Fatalf("decoded size %d of %d input bytes", size, len(b))
		}
		if again := appendRecord(nil, typ, data); !bytes.Equal(again, b[:size]) {
			t.Fatalf("record does not re-encode to its bytes")
		}
		// The payload decoders must not panic either.
		switch typ {
		case recEntry:
			decodeEntry(data)
		case recHardState:
			decodeHardState(data)
		case recSnapshot:
			decodeSnapshotRecord(data)
		case recSegmentHeader:
			decodeSegmentHeader(data)
		case recCompaction:
			decodeCompaction(data)
		}
	})
}

// TestDecodeRecordNeverAllocates: a header claiming a huge length, valid
// checksum and all, is rejected by the cap without allocating; valid
// records decode without allocating (data aliases the input).
func TestDecodeRecordNeverAllocates(t *testing.T) {
	huge := func(n uint32) []byte {
		h := make([]byte, recordHeaderSize)
		binary.LittleEndian.PutUint32(h, n)
		h[4] = byte(recEntry)
		binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(h[:12], castagnoli))
		return h
	}
	inputs := map[string][]byte{
		"max uint32 length":  huge(^uint32(0)),
		"cap + 1 length":     huge(MaxRecordData + 1),
		"cap length, short":  huge(MaxRecordData),
		"valid entry record": appendRecord(nil, recEntry, appendEntry(nil, raft.Entry{Index: 1, Term: 1, Data: make([]byte, 5000)})),
	}
	for name, b := range inputs {
		var err error
		allocs := testing.AllocsPerRun(10, func() { _, _, _, err = decodeRecord(b) })
		if allocs != 0 {
			t.Errorf("%s: %v allocations", name, allocs)
		}
		switch name {
		case "valid entry record":
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case "cap length, short":
			if !errors.Is(err, errShortRecord) {
				t.Errorf("%s: %v, want errShortRecord", name, err)
			}
		default:
			if !errors.Is(err, errTooLarge) {
				t.Errorf("%s: %v, want errTooLarge", name, err)
			}
		}
	}
}

// FuzzScanSegment: validating arbitrary segment bytes never panics, and a
// scan that succeeds stops inside the input.
func FuzzScanSegment(f *testing.F) {
	seg := appendRecord(nil, recSegmentHeader, appendSegmentHeader(nil, segmentHeader{seq: 1, first: 1}))
	seg = appendRecord(seg, recEntry, appendEntry(nil, raft.Entry{Index: 1, Term: 1, Data: []byte("hello")}))
	f.Add(seg, true)
	f.Add(append(seg, make([]byte, 100)...), false)
	f.Add(seg[:len(seg)-5], true)
	f.Fuzz(func(t *testing.T, b []byte, isLast bool) {
		res, err := scanSegment("fuzz.wal", b, isLast, func(int64, recordType, []byte, int) error { return nil })
		if err == nil && res.end > int64(len(b)) {
			t.Fatalf("scan ended at %d past %d bytes", res.end, len(b))
		}
	})
}

// FuzzDecodePayloads: the record payload decoders reject or accept any
// bytes without panicking, and what they accept round-trips.
func FuzzDecodePayloads(f *testing.F) {
	f.Add(appendSnapshotRecord(nil, raft.SnapshotMeta{Index: 9, Term: 3, Config: raft.Configuration{Members: []raft.Member{{ID: 4, Addr: "x:1", Learner: true}}}}, snapshotInstalled))
	f.Add(appendCompaction(nil, 7, 3))
	f.Add(appendSegmentHeader(nil, segmentHeader{seq: 3, last: 10, lastTerm: 2, hs: raft.HardState{Term: 2}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if meta, kind, err := decodeSnapshotRecord(b); err == nil {
			if !bytes.Equal(appendSnapshotRecord(nil, meta, kind), b) {
				t.Fatal("snapshot record does not round-trip")
			}
		}
		if h, err := decodeSegmentHeader(b); err == nil {
			if !bytes.Equal(appendSegmentHeader(nil, h), b) {
				t.Fatal("segment header does not round-trip")
			}
		}
		if first, prevTerm, err := decodeCompaction(b); err == nil {
			if !bytes.Equal(appendCompaction(nil, first, prevTerm), b) {
				t.Fatal("compaction record does not round-trip")
			}
		}
		decodeEntry(b)
		decodeHardState(b)
	})
}
