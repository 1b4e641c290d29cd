package snap

import (
	"encoding/binary"
	"hash/crc32"
)

// File layout:
//
//	magic "RSQSNAP1" (8 bytes)
//	data (dataLen bytes, written by the state machine or a transport)
//	metadata (metaLen bytes, EncodeMeta)
//	trailer (32 bytes):
//	  dataLen u64, metaLen u32, CRC-32C of data u32, CRC-32C of metadata
//	  u32, CRC-32C of the preceding 20 trailer bytes u32, magic "RSQSEND1"
//
// The metadata sits after the data because a state machine reports the
// index a snapshot reflects only once it has written it.
const (
	headerMagic  = "RSQSNAP1"
	trailerMagic = "RSQSEND1"
	headerSize   = len(headerMagic)
	trailerSize  = 32
	// maxMetaSize bounds the metadata read from a file.
	maxMetaSize = 8 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// trailer is the fixed-size end of a snapshot file.
type trailer struct {
	dataLen uint64
	metaLen uint32
	dataCRC uint32
	metaCRC uint32
}

func (t trailer) encode() []byte {
	b := make([]byte, 0, trailerSize)
	b = binary.LittleEndian.AppendUint64(b, t.dataLen)
	b = binary.LittleEndian.AppendUint32(b, t.metaLen)
	b = binary.LittleEndian.AppendUint32(b, t.dataCRC)
	b = binary.LittleEndian.AppendUint32(b, t.metaCRC)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return append(b, trailerMagic...)
}

// decodeTrailer parses a trailer; ok is false if its magic or checksum is
// wrong.
func decodeTrailer(b []byte) (t trailer, ok bool) {
	if len(b) != trailerSize || string(b[24:]) != trailerMagic {
		return t, false
	}
	if crc32.Checksum(b[:20], castagnoli) != binary.LittleEndian.Uint32(b[20:]) {
		return t, false
	}
	t.dataLen = binary.LittleEndian.Uint64(b)
	t.metaLen = binary.LittleEndian.Uint32(b[8:])
	t.dataCRC = binary.LittleEndian.Uint32(b[12:])
	t.metaCRC = binary.LittleEndian.Uint32(b[16:])
	return t, true
}
