package raft

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
)

// ClusterID derives a cluster's id from its bootstrap member list: the same
// list, in any order, gives the same id on every node, so separately
// started nodes agree without talking to each other. It is never zero.
func ClusterID(bootstrap []Member) uint64 {
	lines := make([]string, len(bootstrap))
	for i, m := range bootstrap {
		lines[i] = fmt.Sprintf("%d=%s", m.ID, m.Addr)
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	id := binary.BigEndian.Uint64(h.Sum(nil))
	if id == 0 {
		id = 1
	}
	return id
}
