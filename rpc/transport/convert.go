package transport

import (
	"fmt"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/raftpb"
)

// header builds the header every message carries.
func header(clusterID uint64, from, to raft.NodeID) *raftpb.Header {
	return &raftpb.Header{ClusterId: clusterID, From: uint64(from), To: uint64(to)}
}

// carried lists the raft.Message fields each message type's proto shape
// carries, so that a field the shape would silently drop is an error.
type carried struct {
	index, logTerm, entries, commit, reject, rejectHint, context, snapshot, lease bool
}

var carriedByType = map[raft.MessageType]carried{
	raft.MsgPreVote:       {index: true, logTerm: true, context: true},
	raft.MsgVote:          {index: true, logTerm: true, context: true},
	raft.MsgPreVoteResp:   {reject: true, context: true},
	raft.MsgVoteResp:      {reject: true, context: true},
	raft.MsgApp:           {index: true, logTerm: true, entries: true, commit: true, context: true},
	raft.MsgHeartbeat:     {index: true, logTerm: true, entries: true, commit: true, context: true},
	raft.MsgAppResp:       {index: true, logTerm: true, commit: true, reject: true, rejectHint: true, context: true},
	raft.MsgHeartbeatResp: {index: true, logTerm: true, commit: true, reject: true, rejectHint: true, context: true},
	raft.MsgSnap:          {snapshot: true},
	raft.MsgSnapResp:      {index: true, reject: true},
	raft.MsgTimeoutNow:    {},
	raft.MsgReadIndex:     {context: true, lease: true},
	raft.MsgReadIndexResp: {index: true, commit: true, reject: true, context: true},
}

// checkCarried returns an error naming the first field of m that m's proto
// shape cannot carry.
func checkCarried(m raft.Message) error {
	c, ok := carriedByType[m.Type]
	if !ok {
		return fmt.Errorf("rpc: unknown message type %v", m.Type)
	}
	var field string
	switch {
	case !c.index && m.Index != 0:
		field = "Index"
	case !c.logTerm && m.LogTerm != 0:
		field = "LogTerm"
	case !c.entries && len(m.Entries) > 0:
		field = "Entries"
	case !c.commit && m.Commit != 0:
		field = "Commit"
	case !c.reject && m.Reject:
		field = "Reject"
	case !c.rejectHint && m.RejectHint != 0:
		field = "RejectHint"
	case !c.context && len(m.Context) > 0:
		field = "Context"
	case !c.snapshot && m.Snapshot != nil:
		field = "Snapshot"
	case !c.lease && m.Lease:
		field = "Lease"
	}
	if field != "" {
		return fmt.Errorf("rpc: %v cannot carry field %s", m.Type, field)
	}
	return nil
}

// messageToProto converts m into the message that carries it on the
// Replicate stream. MsgSnap travels only through InstallSnapshot and is an
// error here.
func messageToProto(m raft.Message, clusterID uint64) (*raftpb.RaftMessage, error) {
	if err := checkCarried(m); err != nil {
		return nil, err
	}
	h := header(clusterID, m.From, m.To)
	switch m.Type {
	case raft.MsgPreVote, raft.MsgVote:
		return &raftpb.RaftMessage{Body: &raftpb.RaftMessage_RequestVote{RequestVote: &raftpb.RequestVoteRequest{
			Header: h, Term: m.Term, CandidateId: uint64(m.From),
			LastLogIndex: m.Index, LastLogTerm: m.LogTerm, PreVote: m.Type == raft.MsgPreVote, Context: m.Context,
		}}}, nil
	case raft.MsgPreVoteResp, raft.MsgVoteResp:
		return &raftpb.RaftMessage{Body: &raftpb.RaftMessage_RequestVoteResponse{RequestVoteResponse: &raftpb.RequestVoteResponse{
			Header: h, Term: m.Term, VoteGranted: !m.Reject, PreVote: m.Type == raft.MsgPreVoteResp, Context: m.Context,
		}}}, nil
	case raft.MsgApp, raft.MsgHeartbeat:
		return &raftpb.RaftMessage{Body: &raftpb.RaftMessage_AppendEntries{AppendEntries: &raftpb.AppendEntriesRequest{
			Header: h, Term: m.Term, LeaderId: uint64(m.From), PrevLogIndex: m.Index, PrevLogTerm: m.LogTerm,
			Entries: entriesToProto(m.Entries), LeaderCommit: m.Commit, Heartbeat: m.Type == raft.MsgHeartbeat, Context: m.Context,
		}}}, nil
	case raft.MsgAppResp, raft.MsgHeartbeatResp:
		return &raftpb.RaftMessage{Body: &raftpb.RaftMessage_AppendEntriesResponse{AppendEntriesResponse: &raftpb.AppendEntriesResponse{
			Header: h, Term: m.Term, Success: !m.Reject, MatchIndex: m.Index, ConflictIndex: m.RejectHint,
			ConflictTerm: m.LogTerm, Heartbeat: m.Type == raft.MsgHeartbeatResp, Commit: m.Commit, Context: m.Context,
		}}}, nil
	case raft.MsgSnapResp:
		return &raftpb.RaftMessage{Body: &raftpb.RaftMessage_InstallSnapshotResponse{InstallSnapshotResponse: &raftpb.InstallSnapshotResponse{
			Header: h, Term: m.Term, Reject: m.Reject, MatchIndex: m.Index,
		}}}, nil
	case raft.MsgTimeoutNow:
		return &raftpb.RaftMessage{Body: &raftpb.RaftMessage_TimeoutNow{TimeoutNow: &raftpb.TimeoutNowRequest{
			Header: h, Term: m.Term, LeaderId: uint64(m.From),
		}}}, nil
	case raft.MsgReadIndex:
		return &raftpb.RaftMessage{Body: &raftpb.RaftMessage_ReadIndex{ReadIndex: &raftpb.ReadIndexRequest{
			Header: h, Term: m.Term, Context: m.Context, Lease: m.Lease,
		}}}, nil
	case raft.MsgReadIndexResp:
		return &raftpb.RaftMessage{Body: &raftpb.RaftMessage_ReadIndexResponse{ReadIndexResponse: &raftpb.ReadIndexResponse{
			Header: h, Term: m.Term, ReadIndex: m.Index, Context: m.Context, Reject: m.Reject, Commit: m.Commit,
		}}}, nil
	}
	return nil, fmt.Errorf("rpc: %v does not travel on the Replicate stream", m.Type)
}

// messageFromProto converts a Replicate stream message back into a
// raft.Message and returns the header it carried.
func messageFromProto(pm *raftpb.RaftMessage) (raft.Message, *raftpb.Header, error) {
	switch b := pm.GetBody().(type) {
	case *raftpb.RaftMessage_RequestVote:
		m, err := voteRequestFromProto(b.RequestVote)
		return m, b.RequestVote.GetHeader(), err
	case *raftpb.RaftMessage_RequestVoteResponse:
		r := b.RequestVoteResponse
		t := raft.MsgVoteResp
		if r.GetPreVote() {
			t = raft.MsgPreVoteResp
		}
		m := fromHeader(t, r.GetHeader())
		m.Term, m.Reject, m.Context = r.GetTerm(), !r.GetVoteGranted(), r.GetContext()
		return m, r.GetHeader(), nil
	case *raftpb.RaftMessage_AppendEntries:
		m, err := appendEntriesFromProto(b.AppendEntries)
		return m, b.AppendEntries.GetHeader(), err
	case *raftpb.RaftMessage_AppendEntriesResponse:
		r := b.AppendEntriesResponse
		t := raft.MsgAppResp
		if r.GetHeartbeat() {
			t = raft.MsgHeartbeatResp
		}
		m := fromHeader(t, r.GetHeader())
		m.Term, m.Reject, m.Index, m.RejectHint, m.LogTerm, m.Commit, m.Context =
			r.GetTerm(), !r.GetSuccess(), r.GetMatchIndex(), r.GetConflictIndex(), r.GetConflictTerm(), r.GetCommit(), r.GetContext()
		return m, r.GetHeader(), nil
	case *raftpb.RaftMessage_InstallSnapshotResponse:
		r := b.InstallSnapshotResponse
		m := fromHeader(raft.MsgSnapResp, r.GetHeader())
		m.Term, m.Reject, m.Index = r.GetTerm(), r.GetReject(), r.GetMatchIndex()
		return m, r.GetHeader(), nil
	case *raftpb.RaftMessage_TimeoutNow:
		m, err := timeoutNowFromProto(b.TimeoutNow)
		return m, b.TimeoutNow.GetHeader(), err
	case *raftpb.RaftMessage_ReadIndex:
		r := b.ReadIndex
		m := fromHeader(raft.MsgReadIndex, r.GetHeader())
		m.Term, m.Context, m.Lease = r.GetTerm(), r.GetContext(), r.GetLease()
		return m, r.GetHeader(), nil
	case *raftpb.RaftMessage_ReadIndexResponse:
		r := b.ReadIndexResponse
		m := fromHeader(raft.MsgReadIndexResp, r.GetHeader())
		m.Term, m.Index, m.Context, m.Reject, m.Commit = r.GetTerm(), r.GetReadIndex(), r.GetContext(), r.GetReject(), r.GetCommit()
		return m, r.GetHeader(), nil
	}
	return raft.Message{}, nil, fmt.Errorf("rpc: stream message has no body")
}

// fromHeader starts a raft.Message of type t addressed as h says.
func fromHeader(t raft.MessageType, h *raftpb.Header) raft.Message {
	return raft.Message{Type: t, From: raft.NodeID(h.GetFrom()), To: raft.NodeID(h.GetTo())}
}

// voteRequestFromProto converts a RequestVoteRequest; the candidate must be
// the sender.
func voteRequestFromProto(r *raftpb.RequestVoteRequest) (raft.Message, error) {
	t := raft.MsgVote
	if r.GetPreVote() {
		t = raft.MsgPreVote
	}
	m := fromHeader(t, r.GetHeader())
	if r.GetCandidateId() != uint64(m.From) {
		return raft.Message{}, fmt.Errorf("rpc: RequestVote candidate %d is not the sender %d", r.GetCandidateId(), m.From)
	}
	m.Term, m.Index, m.LogTerm, m.Context = r.GetTerm(), r.GetLastLogIndex(), r.GetLastLogTerm(), r.GetContext()
	return m, nil
}

// appendEntriesFromProto converts an AppendEntriesRequest; the leader must
// be the sender.
func appendEntriesFromProto(r *raftpb.AppendEntriesRequest) (raft.Message, error) {
	t := raft.MsgApp
	if r.GetHeartbeat() {
		t = raft.MsgHeartbeat
	}
	m := fromHeader(t, r.GetHeader())
	if r.GetLeaderId() != uint64(m.From) {
		return raft.Message{}, fmt.Errorf("rpc: AppendEntries leader %d is not the sender %d", r.GetLeaderId(), m.From)
	}
	ents, err := entriesFromProto(r.GetEntries())
	if err != nil {
		return raft.Message{}, err
	}
	m.Term, m.Index, m.LogTerm, m.Entries, m.Commit, m.Context =
		r.GetTerm(), r.GetPrevLogIndex(), r.GetPrevLogTerm(), ents, r.GetLeaderCommit(), r.GetContext()
	return m, nil
}

// timeoutNowFromProto converts a TimeoutNowRequest; the leader must be the
// sender.
func timeoutNowFromProto(r *raftpb.TimeoutNowRequest) (raft.Message, error) {
	m := fromHeader(raft.MsgTimeoutNow, r.GetHeader())
	if r.GetLeaderId() != uint64(m.From) {
		return raft.Message{}, fmt.Errorf("rpc: TimeoutNow leader %d is not the sender %d", r.GetLeaderId(), m.From)
	}
	m.Term = r.GetTerm()
	return m, nil
}

// entriesToProto converts log entries.
func entriesToProto(ents []raft.Entry) []*raftpb.Entry {
	if len(ents) == 0 {
		return nil
	}
	out := make([]*raftpb.Entry, len(ents))
	for i, e := range ents {
		out[i] = &raftpb.Entry{Index: e.Index, Term: e.Term, Type: raftpb.EntryType(e.Type), Data: e.Data}
	}
	return out
}

// entriesFromProto converts log entries, rejecting unknown entry types.
func entriesFromProto(ents []*raftpb.Entry) ([]raft.Entry, error) {
	if len(ents) == 0 {
		return nil, nil
	}
	out := make([]raft.Entry, len(ents))
	for i, e := range ents {
		switch e.GetType() {
		case raftpb.EntryType_ENTRY_TYPE_NORMAL, raftpb.EntryType_ENTRY_TYPE_NOOP, raftpb.EntryType_ENTRY_TYPE_CONFIG:
		default:
			return nil, fmt.Errorf("rpc: entry %d has unknown type %d", e.GetIndex(), e.GetType())
		}
		out[i] = raft.Entry{Index: e.GetIndex(), Term: e.GetTerm(), Type: raft.EntryType(e.GetType()), Data: e.GetData()}
	}
	return out, nil
}

// configToProto converts a configuration.
func configToProto(c raft.Configuration) *raftpb.Configuration {
	out := &raftpb.Configuration{Members: make([]*raftpb.Member, len(c.Members))}
	for i, m := range c.Members {
		out.Members[i] = &raftpb.Member{Id: uint64(m.ID), Addr: m.Addr, Learner: m.Learner}
	}
	return out
}

// configFromProto converts a configuration.
func configFromProto(c *raftpb.Configuration) raft.Configuration {
	var out raft.Configuration
	for _, m := range c.GetMembers() {
		out.Members = append(out.Members, raft.Member{ID: raft.NodeID(m.GetId()), Addr: m.GetAddr(), Learner: m.GetLearner()})
	}
	return out
}

// snapshotHeaderToProto builds the first chunk of an InstallSnapshot
// stream for msg.
func snapshotHeaderToProto(msg raft.Message, clusterID uint64) *raftpb.InstallSnapshotRequest {
	s := msg.Snapshot
	return &raftpb.InstallSnapshotRequest{
		Header: header(clusterID, msg.From, msg.To), Term: msg.Term, LeaderId: uint64(msg.From),
		LastIncludedIndex: s.Index, LastIncludedTerm: s.Term, Configuration: configToProto(s.Config),
	}
}

// snapshotMessageFromProto converts the first chunk of an InstallSnapshot
// stream into its MsgSnap.
func snapshotMessageFromProto(r *raftpb.InstallSnapshotRequest) (raft.Message, error) {
	m := fromHeader(raft.MsgSnap, r.GetHeader())
	if r.GetLeaderId() != uint64(m.From) {
		return raft.Message{}, fmt.Errorf("rpc: InstallSnapshot leader %d is not the sender %d", r.GetLeaderId(), m.From)
	}
	if r.GetLastIncludedIndex() == 0 {
		return raft.Message{}, fmt.Errorf("rpc: InstallSnapshot carries no last included index")
	}
	m.Term = r.GetTerm()
	m.Snapshot = &raft.SnapshotMeta{Index: r.GetLastIncludedIndex(), Term: r.GetLastIncludedTerm(), Config: configFromProto(r.GetConfiguration())}
	return m, nil
}
