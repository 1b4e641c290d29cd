package raft

import "fmt"

// MessageType names a Raft message. Requests and their responses are
// separate types, as they travel independently.
type MessageType uint8

const (
	MsgPreVote       MessageType = iota // thesis §9.6
	MsgPreVoteResp                      // reply to MsgPreVote
	MsgVote                             // RequestVote, paper §5.2
	MsgVoteResp                         // reply to MsgVote
	MsgApp                              // AppendEntries, paper §5.3
	MsgAppResp                          // reply to MsgApp
	MsgHeartbeat                        // empty AppendEntries, paper §5.2
	MsgHeartbeatResp                    // reply to MsgHeartbeat
	MsgSnap                             // InstallSnapshot, paper §7
	MsgSnapResp                         // reply to MsgSnap
	MsgTimeoutNow                       // leadership transfer, thesis §3.10
	MsgReadIndex                        // follower asks leader for a read index, thesis §6.4
	MsgReadIndexResp                    // reply to MsgReadIndex
)

var messageTypeNames = [...]string{
	"MsgPreVote", "MsgPreVoteResp", "MsgVote", "MsgVoteResp", "MsgApp",
	"MsgAppResp", "MsgHeartbeat", "MsgHeartbeatResp", "MsgSnap", "MsgSnapResp",
	"MsgTimeoutNow", "MsgReadIndex", "MsgReadIndexResp",
}

func (t MessageType) String() string {
	if int(t) < len(messageTypeNames) {
		return messageTypeNames[t]
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

// Message is what one node sends another. Fields not used by a type are
// zero.
//
//   - MsgApp: Index/LogTerm are the paper's prevLogIndex/prevLogTerm,
//     Entries follow them, Commit is leaderCommit.
//   - MsgAppResp: on success Index is the highest index now matching the
//     leader; on rejection Reject is set, Index is the rejected prevLogIndex
//     and RejectHint/LogTerm carry the fast-backtracking hint (the follower's
//     conflict index and the term at it).
//   - MsgVote/MsgPreVote: Index/LogTerm are lastLogIndex/lastLogTerm; for
//     MsgPreVote Term is the term the candidate would campaign in.
//   - MsgSnap: Snapshot describes the snapshot whose data the transport
//     streams alongside.
//   - MsgReadIndex/MsgReadIndexResp: Context identifies the request, Index
//     is the read index in the response and Commit the leader's commit
//     index as far as the follower is known to hold it. Lease on a
//     MsgReadIndex asks for a lease read: the leader may answer from its
//     lease (thesis §6.4.1) instead of confirming with a heartbeat round.
type Message struct {
	Type       MessageType
	From       NodeID
	To         NodeID
	Term       uint64
	Index      uint64
	LogTerm    uint64
	Entries    []Entry
	Commit     uint64
	Reject     bool
	RejectHint uint64
	Context    []byte
	Snapshot   *SnapshotMeta
	Lease      bool
}

// String formats m compactly for logs and test failures.
func (m Message) String() string {
	s := fmt.Sprintf("%v %d->%d term=%d index=%d logterm=%d commit=%d entries=%d", m.Type, m.From, m.To, m.Term, m.Index, m.LogTerm, m.Commit, len(m.Entries))
	if m.Reject {
		s += fmt.Sprintf(" reject hint=%d", m.RejectHint)
	}
	if m.Snapshot != nil {
		s += fmt.Sprintf(" snapshot=%d/%d", m.Snapshot.Index, m.Snapshot.Term)
	}
	return s
}
