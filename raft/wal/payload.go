package wal

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
)

// Record data encodings (little endian).
//
//	entry:          index u64, term u64, type u8, data
//	hard state:     term u64, vote u64, commit u64
//	snapshot:       kind u8 (0 installed, 1 created), snap.EncodeMeta
//	compaction:     first index u64, term of the entry before it u64
//	segment header: format version u8, segment sequence u64, first index
//	                u64, term before it u64, last index u64, term of the
//	                last index u64, hard state (24 bytes), snapshot
//	                metadata (snap.EncodeMeta)

const (
	formatVersion   = 1
	entryHeaderSize = 17
	hardStateSize   = 24
)

var errShortPayload = errors.New("record data too short")

func appendEntry(dst []byte, e raft.Entry) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, e.Index)
	dst = binary.LittleEndian.AppendUint64(dst, e.Term)
	dst = append(dst, byte(e.Type))
	return append(dst, e.Data...)
}

// decodeEntry decodes an entry; Data is copied so it does not alias b.
func decodeEntry(b []byte) (raft.Entry, error) {
	if len(b) < entryHeaderSize {
		return raft.Entry{}, errShortPayload
	}
	e := raft.Entry{
		Index: binary.LittleEndian.Uint64(b),
		Term:  binary.LittleEndian.Uint64(b[8:]),
		Type:  raft.EntryType(b[16]),
	}
	if len(b) > entryHeaderSize {
		e.Data = append([]byte(nil), b[entryHeaderSize:]...)
	}
	return e, nil
}

func appendHardState(dst []byte, hs raft.HardState) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, hs.Term)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(hs.Vote))
	return binary.LittleEndian.AppendUint64(dst, hs.Commit)
}

func decodeHardState(b []byte) (raft.HardState, error) {
	if len(b) != hardStateSize {
		return raft.HardState{}, fmt.Errorf("hard state of %d bytes, want %d", len(b), hardStateSize)
	}
	return raft.HardState{
		Term:   binary.LittleEndian.Uint64(b),
		Vote:   raft.NodeID(binary.LittleEndian.Uint64(b[8:])),
		Commit: binary.LittleEndian.Uint64(b[16:]),
	}, nil
}

// segmentHeader is the state of the log when a segment was created.
type segmentHeader struct {
	seq      uint64
	first    uint64
	prevTerm uint64
	last     uint64
	lastTerm uint64
	hs       raft.HardState
	snap     raft.SnapshotMeta
}

func appendSegmentHeader(dst []byte, h segmentHeader) []byte {
	dst = append(dst, formatVersion)
	dst = binary.LittleEndian.AppendUint64(dst, h.seq)
	dst = binary.LittleEndian.AppendUint64(dst, h.first)
	dst = binary.LittleEndian.AppendUint64(dst, h.prevTerm)
	dst = binary.LittleEndian.AppendUint64(dst, h.last)
	dst = binary.LittleEndian.AppendUint64(dst, h.lastTerm)
	dst = appendHardState(dst, h.hs)
	return snap.EncodeMeta(dst, h.snap)
}

func decodeSegmentHeader(b []byte) (segmentHeader, error) {
	var h segmentHeader
	const fixed = 41
	if len(b) < fixed+hardStateSize {
		return h, errShortPayload
	}
	if b[0] != formatVersion {
		return h, fmt.Errorf("unsupported segment format version %d", b[0])
	}
	h.seq = binary.LittleEndian.Uint64(b[1:])
	h.first = binary.LittleEndian.Uint64(b[9:])
	h.prevTerm = binary.LittleEndian.Uint64(b[17:])
	h.last = binary.LittleEndian.Uint64(b[25:])
	h.lastTerm = binary.LittleEndian.Uint64(b[33:])
	hs, err := decodeHardState(b[fixed : fixed+hardStateSize])
	if err != nil {
		return h, err
	}
	h.hs = hs
	m, err := snap.DecodeMeta(b[fixed+hardStateSize:])
	if err != nil {
		return h, err
	}
	h.snap = m
	return h, nil
}

// snapshotKind says how a snapshot record changed the log.
type snapshotKind uint8

const (
	// snapshotInstalled: ApplySnapshot, the log was replaced.
	snapshotInstalled snapshotKind = 0
	// snapshotCreated: CreateSnapshot, the log was kept.
	snapshotCreated snapshotKind = 1
)

func appendSnapshotRecord(dst []byte, meta raft.SnapshotMeta, kind snapshotKind) []byte {
	return snap.EncodeMeta(append(dst, byte(kind)), meta)
}

func decodeSnapshotRecord(b []byte) (meta raft.SnapshotMeta, kind snapshotKind, err error) {
	if len(b) < 1 || b[0] > byte(snapshotCreated) {
		return meta, 0, errors.New("bad snapshot record kind")
	}
	meta, err = snap.DecodeMeta(b[1:])
	return meta, snapshotKind(b[0]), err
}

// appendCompaction encodes a compaction record.
func appendCompaction(dst []byte, first, prevTerm uint64) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, first)
	return binary.LittleEndian.AppendUint64(dst, prevTerm)
}

func decodeCompaction(b []byte) (first, prevTerm uint64, err error) {
	if len(b) != 16 {
		return 0, 0, fmt.Errorf("compaction record of %d bytes, want 16", len(b))
	}
	return binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]), nil
}

// decodeEntryHeader decodes an entry without copying its data.
func decodeEntryHeader(b []byte) (raft.Entry, error) {
	if len(b) < entryHeaderSize {
		return raft.Entry{}, errShortPayload
	}
	return raft.Entry{
		Index: binary.LittleEndian.Uint64(b),
		Term:  binary.LittleEndian.Uint64(b[8:]),
		Type:  raft.EntryType(b[16]),
	}, nil
}
