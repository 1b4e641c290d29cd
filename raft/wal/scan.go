package wal

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strconv"
)

// scanResult is what scanning one segment's bytes found.
type scanResult struct {
	end int64 // offset just past the last valid record
	// torn is set when the segment ends in a torn append at end; discarded
	// counts the non-zero bytes from there on.
	torn      bool
	discarded int64
}

// scanSegment calls visit for every valid record in b, a segment's whole
// content, and classifies how it ends. A failure that a torn append
// explains is accepted (scanResult.torn) only in the last segment; all
// other failures return a *CorruptionError naming path and the offset.
func scanSegment(path string, b []byte, isLast bool, visit func(off int64, typ recordType, data []byte, size int) error) (scanResult, error) {
	z := int64(lastNonZero(b))
	off := int64(0)
	for {
		if off >= z {
			return scanResult{end: off}, nil
		}
		typ, data, size, err := decodeRecord(b[off:])
		if err == nil {
			if err := visit(off, typ, data, size); err != nil {
				return scanResult{}, &CorruptionError{File: path, Offset: off, Reason: err.Error()}
			}
			off += int64(size)
			continue
		}
		reason, torn := classify(b, off, z, size, err)
		if torn && isLast {
			return scanResult{end: off, torn: true, discarded: z - off}, nil
		}
		if torn {
			reason = err.Error() + " in a segment that is not the last (it was complete when the next one was created)"
		}
		return scanResult{}, &CorruptionError{File: path, Offset: off, Reason: reason}
	}
}

// classify decides whether a record that failed to decode at off is a torn
// append (its end never reached the disk and nothing follows it) or
// corruption. z is one past the last non-zero byte of b; size is the
// record size the header claims, when the header was valid.
func classify(b []byte, off, z int64, size int, err error) (reason string, torn bool) {
	switch {
	case errors.Is(err, errShortHeader), errors.Is(err, errShortRecord):
		return err.Error(), true
	case errors.Is(err, errZeroHeader):
		// Zeros where a header should be, non-zero bytes later: an
		// append whose first sectors never reached the disk, unless a
		// complete record follows (then the zeros hide synced data).
		if p := findValidHeader(b, off+recordHeaderSize, z); p >= 0 {
			return "zeroed record header followed by a valid record at offset " + strconv.FormatInt(p, 10), false
		}
		return err.Error(), true
	case errors.Is(err, errBadHeader):
		// A header cut short by a torn append is followed only by zeros.
		return err.Error(), z <= off+recordHeaderSize
	case errors.Is(err, errNoMarker):
		// The record's last byte never reached the disk, nor did
		// anything after it.
		return err.Error(), z <= off+int64(size)-1
	}
	return err.Error(), false
}

// findValidHeader returns the offset of the first 16-byte aligned record
// header in b[from:to] whose checksum holds, or -1.
func findValidHeader(b []byte, from, to int64) int64 {
	from = (from + recordAlign - 1) &^ (recordAlign - 1)
	for p := from; p+recordHeaderSize <= to && p+recordHeaderSize <= int64(len(b)); p += recordAlign {
		h := b[p : p+recordHeaderSize]
		if !isZero(h) && crc32.Checksum(h[:12], castagnoli) == binary.LittleEndian.Uint32(h[12:]) {
			return p
		}
	}
	return -1
}

// lastNonZero returns one past the index of the last non-zero byte of b
// (0 if b is all zeros).
func lastNonZero(b []byte) int {
	n := len(b)
	for n >= 8 && binary.LittleEndian.Uint64(b[n-8:n]) == 0 {
		n -= 8
	}
	for n > 0 && b[n-1] == 0 {
		n--
	}
	return n
}
