package raft

import "fmt"

// Role is what a node currently is in the protocol.
type Role uint8

const (
	// RoleFollower answers leaders and candidates (paper §5.2).
	RoleFollower Role = iota
	// RolePreCandidate asks whether it could win an election before
	// starting one (thesis §9.6).
	RolePreCandidate
	// RoleCandidate campaigns for votes in a new term (paper §5.2).
	RoleCandidate
	// RoleLeader replicates its log to the others (paper §5.3).
	RoleLeader
)

func (r Role) String() string {
	switch r {
	case RoleFollower:
		return "Follower"
	case RolePreCandidate:
		return "PreCandidate"
	case RoleCandidate:
		return "Candidate"
	case RoleLeader:
		return "Leader"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}
