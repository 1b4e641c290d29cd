package wal

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Record framing. Records start at 16-byte aligned offsets so that a
// header never straddles a 512-byte sector:
//
//	0..3    data length n (u32, little endian)
//	4       record type (never zero)
//	5..7    zero
//	8..11   CRC-32C (Castagnoli) of the data
//	12..15  CRC-32C of bytes 0..11
//	16..    data (n bytes), then zero padding, then the end marker 0xFF
//	        as the last byte; the total size is a multiple of 16
//
// The end marker tells a record that was completely written but fails
// its checksum (corruption) from one whose end never reached the disk (a
// torn append leaves zeros there).
const (
	recordHeaderSize = 16
	recordAlign      = 16
	endMarker        = 0xFF
	// MaxRecordData caps the data length of one record; a length field
	// above it is corruption, so decoding never allocates from it.
	MaxRecordData = 64 << 20
)

// recordType says what a record's data holds.
type recordType uint8

const (
	recSegmentHeader recordType = 1 // segmentHeader, first record of every segment
	recEntry         recordType = 2 // one raft.Entry
	recHardState     recordType = 3 // raft.HardState
	recSnapshot      recordType = 4 // a snapshot installed or created
	recCompaction    recordType = 5 // the log's new first index
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// recordSize returns the aligned size of a record holding n data bytes.
func recordSize(n int) int {
	return (recordHeaderSize + n + 1 + recordAlign - 1) &^ (recordAlign - 1)
}

// appendRecord appends the framed record to dst.
func appendRecord(dst []byte, typ recordType, data []byte) []byte {
	start := len(dst)
	size := recordSize(len(data))
	dst = append(dst, make([]byte, size)...)
	rec := dst[start:]
	binary.LittleEndian.PutUint32(rec[0:], uint32(len(data)))
	rec[4] = byte(typ)
	binary.LittleEndian.PutUint32(rec[8:], crc32.Checksum(data, castagnoli))
	binary.LittleEndian.PutUint32(rec[12:], crc32.Checksum(rec[:12], castagnoli))
	copy(rec[recordHeaderSize:], data)
	rec[size-1] = endMarker
	return dst
}

// Reasons a record fails to decode. scan.go decides from the reason and
// what follows whether the failure is a torn tail or corruption.
var (
	errShortHeader = errors.New("record header cut short")
	errZeroHeader  = errors.New("record header is all zero")
	errBadHeader   = errors.New("record header checksum mismatch")
	errBadType     = errors.New("record header has unknown type or non-zero reserved bytes")
	errTooLarge    = errors.New("record length exceeds the limit")
	errShortRecord = errors.New("record cut short")
	errNoMarker    = errors.New("record end marker missing")
	errBadMarker   = errors.New("record end marker damaged")
	errBadPadding  = errors.New("record padding is not zero")
	errBadData     = errors.New("record data checksum mismatch")
)

// decodeRecord decodes the record at the start of b. On success it returns
// the type, the data (aliasing b) and the record's total size. It never
// allocates and never panics, whatever b holds.
func decodeRecord(b []byte) (typ recordType, data []byte, size int, err error) {
	if len(b) < recordHeaderSize {
		return 0, nil, 0, errShortHeader
	}
	h := b[:recordHeaderSize]
	if isZero(h) {
		return 0, nil, 0, errZeroHeader
	}
	if crc32.Checksum(h[:12], castagnoli) != binary.LittleEndian.Uint32(h[12:]) {
		return 0, nil, 0, errBadHeader
	}
	typ = recordType(h[4])
	if typ < recSegmentHeader || typ > recCompaction || h[5] != 0 || h[6] != 0 || h[7] != 0 {
		return 0, nil, 0, errBadType
	}
	n := binary.LittleEndian.Uint32(h)
	if n > MaxRecordData {
		return 0, nil, 0, errTooLarge
	}
	size = recordSize(int(n))
	if size > len(b) {
		return 0, nil, size, errShortRecord
	}
	switch b[size-1] {
	case endMarker:
	case 0:
		return 0, nil, size, errNoMarker
	default:
		return 0, nil, size, errBadMarker
	}
	data = b[recordHeaderSize : recordHeaderSize+int(n)]
	if !isZero(b[recordHeaderSize+int(n) : size-1]) {
		return 0, nil, size, errBadPadding
	}
	if crc32.Checksum(data, castagnoli) != binary.LittleEndian.Uint32(h[8:]) {
		return 0, nil, size, errBadData
	}
	return typ, data, size, nil
}

// isZero reports whether every byte of b is zero.
func isZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
