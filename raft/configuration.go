package raft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Versions of the encoding of an EntryConfig entry (its first byte).
// Version 1 holds the configuration; version 2 adds which member the
// change touched and that member's previous record, so that the
// configuration before the entry can be recovered from the entry alone.
const (
	configurationV1 = 1
	configurationV2 = 2
)

// EncodeConfiguration encodes cfg as the Data of an EntryConfig entry.
func EncodeConfiguration(cfg Configuration) []byte {
	b := []byte{configurationV1}
	return appendMembers(b, cfg.Members)
}

// encodeConfigChange encodes the configuration cfg that results from a
// change to member id, whose record before the change was prev (nil if it
// was not a member).
func encodeConfigChange(cfg Configuration, id NodeID, prev *Member) []byte {
	b := appendMembers([]byte{configurationV2}, cfg.Members)
	b = binary.AppendUvarint(b, uint64(id))
	if prev == nil {
		return append(b, 0)
	}
	return appendMembers(append(b, 1), []Member{*prev})
}

func appendMembers(b []byte, ms []Member) []byte {
	b = binary.AppendUvarint(b, uint64(len(ms)))
	for _, m := range ms {
		b = binary.AppendUvarint(b, uint64(m.ID))
		b = binary.AppendUvarint(b, uint64(len(m.Addr)))
		b = append(b, m.Addr...)
		learner := byte(0)
		if m.Learner {
			learner = 1
		}
		b = append(b, learner)
	}
	return b
}

var errBadConfiguration = errors.New("raft: malformed configuration entry")

// DecodeConfiguration decodes the Data of an EntryConfig entry.
func DecodeConfiguration(data []byte) (Configuration, error) {
	cfg, _, err := decodeConfigEntry(data)
	return cfg, err
}

// decodeConfigEntry decodes an EntryConfig entry; prior, when the entry
// records it (version 2), is the configuration just before the entry.
func decodeConfigEntry(data []byte) (cfg Configuration, prior *Configuration, err error) {
	if len(data) == 0 || (data[0] != configurationV1 && data[0] != configurationV2) {
		return Configuration{}, nil, errBadConfiguration
	}
	version := data[0]
	ms, rest, err := readMembers(data[1:])
	if err != nil {
		return Configuration{}, nil, err
	}
	cfg = Configuration{Members: ms}
	if version == configurationV2 {
		id, k := binary.Uvarint(rest)
		if k <= 0 || len(rest) < k+1 || rest[k] > 1 {
			return Configuration{}, nil, errBadConfiguration
		}
		hasPrev := rest[k] == 1
		rest = rest[k+1:]
		before := slices.DeleteFunc(slices.Clone(ms), func(m Member) bool { return m.ID == NodeID(id) })
		if hasPrev {
			var prev []Member
			if prev, rest, err = readMembers(rest); err != nil || len(prev) != 1 || prev[0].ID != NodeID(id) {
				return Configuration{}, nil, errBadConfiguration
			}
			before = append(before, prev[0])
		}
		p := Configuration{Members: before}.Clone()
		prior = &p
	}
	if len(rest) != 0 {
		return Configuration{}, nil, errBadConfiguration
	}
	if err := validateMembers(cfg.Members); err != nil {
		return Configuration{}, nil, fmt.Errorf("%w: %w", errBadConfiguration, err)
	}
	return cfg, prior, nil
}

func readMembers(data []byte) ([]Member, []byte, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || n > uint64(len(data)) {
		return nil, nil, errBadConfiguration
	}
	data = data[k:]
	ms := make([]Member, 0, n)
	for range n {
		id, k := binary.Uvarint(data)
		if k <= 0 {
			return nil, nil, errBadConfiguration
		}
		data = data[k:]
		l, k := binary.Uvarint(data)
		if k <= 0 || l+1 > uint64(len(data)-k) {
			return nil, nil, errBadConfiguration
		}
		data = data[k:]
		if data[l] > 1 {
			return nil, nil, errBadConfiguration
		}
		ms = append(ms, Member{ID: NodeID(id), Addr: string(data[:l]), Learner: data[l] == 1})
		data = data[l+1:]
	}
	return ms, data, nil
}

func validateMembers(ms []Member) error {
	seen := make(map[NodeID]bool, len(ms))
	for _, m := range ms {
		if m.ID == None {
			return fmt.Errorf("member with id 0")
		}
		if seen[m.ID] {
			return fmt.Errorf("member %d listed twice", m.ID)
		}
		seen[m.ID] = true
	}
	return nil
}

// Member returns the member with the given id and whether it is present.
func (c Configuration) Member(id NodeID) (Member, bool) {
	for _, m := range c.Members {
		if m.ID == id {
			return m, true
		}
	}
	return Member{}, false
}

// IsVoter reports whether id is a voting member of c.
func (c Configuration) IsVoter(id NodeID) bool {
	m, ok := c.Member(id)
	return ok && !m.Learner
}

// Voters returns the ids of the voting members, in ascending order.
func (c Configuration) Voters() []NodeID {
	var ids []NodeID
	for _, m := range c.Members {
		if !m.Learner {
			ids = append(ids, m.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// IDs returns the ids of all members, voters and learners, ascending.
func (c Configuration) IDs() []NodeID {
	ids := make([]NodeID, 0, len(c.Members))
	for _, m := range c.Members {
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	return ids
}

// Clone returns a deep copy of c, with members sorted by id.
func (c Configuration) Clone() Configuration {
	ms := slices.Clone(c.Members)
	slices.SortFunc(ms, func(a, b Member) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return Configuration{Members: ms}
}

// ConfChangeType says what a ConfChange does.
type ConfChangeType uint8

const (
	// ConfAddVoter adds a voting member, or promotes a learner that has
	// caught up.
	ConfAddVoter ConfChangeType = iota
	// ConfAddLearner adds a non-voting member that receives the log.
	ConfAddLearner
	// ConfRemove removes a member (voter or learner).
	ConfRemove
)

func (t ConfChangeType) String() string {
	switch t {
	case ConfAddVoter:
		return "AddVoter"
	case ConfAddLearner:
		return "AddLearner"
	case ConfRemove:
		return "Remove"
	}
	return fmt.Sprintf("ConfChangeType(%d)", uint8(t))
}

// ConfChange is a single-server membership change (thesis §4.1). For
// ConfRemove only Member.ID is used; Member.Learner is ignored (the Type
// says what the member becomes).
type ConfChange struct {
	Type   ConfChangeType
	Member Member
}

// apply returns the configuration that results from applying cc to cfg.
func (cc ConfChange) apply(cfg Configuration) (Configuration, error) {
	if cc.Member.ID == None {
		return Configuration{}, fmt.Errorf("%w: member id 0", ErrInvalidConfChange)
	}
	next := cfg.Clone()
	i := slices.IndexFunc(next.Members, func(m Member) bool { return m.ID == cc.Member.ID })
	switch cc.Type {
	case ConfAddVoter:
		switch {
		case i < 0:
			next.Members = append(next.Members, Member{ID: cc.Member.ID, Addr: cc.Member.Addr})
		case next.Members[i].Learner:
			next.Members[i].Learner = false
			if cc.Member.Addr != "" {
				next.Members[i].Addr = cc.Member.Addr
			}
		default:
			return Configuration{}, fmt.Errorf("%w: %d is already a voter", ErrInvalidConfChange, cc.Member.ID)
		}
	case ConfAddLearner:
		if i >= 0 {
			return Configuration{}, fmt.Errorf("%w: %d is already a member", ErrInvalidConfChange, cc.Member.ID)
		}
		next.Members = append(next.Members, Member{ID: cc.Member.ID, Addr: cc.Member.Addr, Learner: true})
	case ConfRemove:
		if i < 0 {
			return Configuration{}, fmt.Errorf("%w: %d is not a member", ErrInvalidConfChange, cc.Member.ID)
		}
		next.Members = slices.Delete(next.Members, i, i+1)
		if len(next.Voters()) == 0 {
			return Configuration{}, fmt.Errorf("%w: removing %d leaves no voter", ErrInvalidConfChange, cc.Member.ID)
		}
	default:
		return Configuration{}, fmt.Errorf("%w: unknown type %v", ErrInvalidConfChange, cc.Type)
	}
	return next.Clone(), nil
}
