package snap

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/resqlite/resqlite/raft"
)

// Limits that keep decoding of untrusted bytes bounded.
const (
	maxMembers  = 1 << 12
	maxAddrSize = 1 << 10
)

// errShortMeta is returned when encoded metadata ends early.
var errShortMeta = errors.New("snap: metadata too short")

// ValidateMeta reports whether m can be encoded and decoded again: at
// most 4096 members, addresses of at most 1 KiB.
func ValidateMeta(m raft.SnapshotMeta) error {
	if len(m.Config.Members) > maxMembers {
		return fmt.Errorf("snap: configuration of %d members exceeds the limit of %d", len(m.Config.Members), maxMembers)
	}
	for _, mem := range m.Config.Members {
		if len(mem.Addr) > maxAddrSize {
			return fmt.Errorf("snap: member %d address of %d bytes exceeds the limit of %d", mem.ID, len(mem.Addr), maxAddrSize)
		}
	}
	return nil
}

// EncodeMeta appends the binary encoding of m to dst: index, term, member
// count, then per member its id, learner flag and address. Check m with
// ValidateMeta first: DecodeMeta refuses what exceeds its limits.
func EncodeMeta(dst []byte, m raft.SnapshotMeta) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, m.Index)
	dst = binary.LittleEndian.AppendUint64(dst, m.Term)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(m.Config.Members)))
	for _, mem := range m.Config.Members {
		dst = binary.LittleEndian.AppendUint64(dst, uint64(mem.ID))
		learner := byte(0)
		if mem.Learner {
			learner = 1
		}
		dst = append(dst, learner)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(mem.Addr)))
		dst = append(dst, mem.Addr...)
	}
	return dst
}

// DecodeMeta decodes what EncodeMeta produced. It rejects trailing bytes,
// more than 4096 members and addresses longer than 1 KiB.
func DecodeMeta(b []byte) (raft.SnapshotMeta, error) {
	var m raft.SnapshotMeta
	if len(b) < 20 {
		return m, errShortMeta
	}
	m.Index = binary.LittleEndian.Uint64(b)
	m.Term = binary.LittleEndian.Uint64(b[8:])
	n := binary.LittleEndian.Uint32(b[16:])
	b = b[20:]
	if n > maxMembers {
		return raft.SnapshotMeta{}, fmt.Errorf("snap: metadata names %d members (limit %d)", n, maxMembers)
	}
	if n > 0 {
		m.Config.Members = make([]raft.Member, 0, min(int(n), len(b)/13+1))
	}
	for i := uint32(0); i < n; i++ {
		if len(b) < 13 {
			return raft.SnapshotMeta{}, errShortMeta
		}
		mem := raft.Member{ID: raft.NodeID(binary.LittleEndian.Uint64(b))}
		switch b[8] {
		case 0:
		case 1:
			mem.Learner = true
		default:
			return raft.SnapshotMeta{}, fmt.Errorf("snap: bad learner flag %d", b[8])
		}
		alen := binary.LittleEndian.Uint32(b[9:])
		b = b[13:]
		if alen > maxAddrSize || int(alen) > len(b) {
			return raft.SnapshotMeta{}, fmt.Errorf("snap: bad address length %d", alen)
		}
		mem.Addr = string(b[:alen])
		b = b[alen:]
		m.Config.Members = append(m.Config.Members, mem)
	}
	if len(b) != 0 {
		return raft.SnapshotMeta{}, fmt.Errorf("snap: %d trailing bytes after metadata", len(b))
	}
	return m, nil
}
