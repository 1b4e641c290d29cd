package node

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/resqlite/resqlite/raft"
)

// ParsePeers parses a member list written id=host:port,id=host:port,...
func ParsePeers(s string) ([]raft.Member, error) {
	var out []raft.Member
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		idText, addr, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%w: peer %q is not id=host:port", ErrConfig, part)
		}
		id, err := strconv.ParseUint(idText, 10, 64)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("%w: peer %q: the id must be a positive integer", ErrConfig, part)
		}
		if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
			return nil, fmt.Errorf("%w: peer %q: the address must be host:port", ErrConfig, part)
		}
		out = append(out, raft.Member{ID: raft.NodeID(id), Addr: addr})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty peer list", ErrConfig)
	}
	return out, nil
}
