package node

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/resqlite/resqlite/raft"
)

// ParsePeers parses a member list written id=host:port,id=host:port,...
// Every address is checked (CheckAddr), so a list that Start would fail
// on is refused before anything is stored.
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
		if err := CheckAddr(addr); err != nil {
			return nil, fmt.Errorf("%w: peer %q: %w", ErrConfig, part, err)
		}
		out = append(out, raft.Member{ID: raft.NodeID(id), Addr: addr})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty peer list", ErrConfig)
	}
	return out, nil
}

// CheckAddr checks that addr is host:port with a host and a numeric port
// from 1 to 65535: an address other nodes can dial.
func CheckAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return fmt.Errorf("the address %q must be host:port", addr)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 {
		return fmt.Errorf("the address %q must have a port from 1 to 65535", addr)
	}
	return nil
}
