package statemachine

import (
	"crypto/sha256"
	"encoding/binary"
	"hash/crc32"
)

// RestoreChunk is one piece of the database file a restore swaps in: the
// bytes at Offset of the file of restore ID (chosen at random by the
// client; see restore.go).
type RestoreChunk struct {
	ID     uint64
	Offset uint64
	Data   []byte
}

// RestoreFinish ends restore ID: the staged file must be Size bytes with
// SHA-256 SHA256, and a valid database; it then replaces the user's
// database at the entry's log position.
type RestoreFinish struct {
	ID     uint64
	Size   uint64
	SHA256 [sha256.Size]byte
}

// encodeRestore encodes a restore entry:
//
//	chunk:  kind byte (4), uvarint ID, uvarint Offset, uvarint len, Data
//	finish: kind byte (5), uvarint ID, uvarint Size, 32 bytes SHA256
//
// then the CRC-32C of everything before it, as every Command.
func encodeRestore(c Command) []byte {
	var b []byte
	if ch := c.RestoreChunk; ch != nil {
		b = make([]byte, 0, 32+len(ch.Data))
		b = binary.AppendUvarint(append(b, restoreChunkKind), ch.ID)
		b = binary.AppendUvarint(b, ch.Offset)
		b = binary.AppendUvarint(b, uint64(len(ch.Data)))
		b = append(b, ch.Data...)
	} else {
		f := c.RestoreFinish
		b = binary.AppendUvarint([]byte{restoreFinishKind}, f.ID)
		b = binary.AppendUvarint(b, f.Size)
		b = append(b, f.SHA256[:]...)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable()))
}

// restore decodes the body of a restore entry of kind.
func (d *decoder) restore(kind byte) (Command, error) {
	id := d.uvarint()
	if d.err == nil && id == 0 {
		d.fail("restore without an id")
	}
	if kind == restoreChunkKind {
		ch := &RestoreChunk{ID: id, Offset: d.uvarint()}
		data := d.bytes()
		if d.err == nil && len(data) == 0 {
			d.fail("empty restore chunk")
		}
		ch.Data = data
		return d.end(Command{RestoreChunk: ch})
	}
	f := &RestoreFinish{ID: id, Size: d.uvarint()}
	if d.err == nil && len(d.b) < sha256.Size {
		d.fail("truncated restore checksum")
	}
	if d.err == nil {
		copy(f.SHA256[:], d.b)
		d.b = d.b[sha256.Size:]
	}
	return d.end(Command{RestoreFinish: f})
}
