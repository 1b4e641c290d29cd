package transport

import (
	"reflect"
	"testing"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/raftpb"
	"google.golang.org/protobuf/proto"
)

func TestMessageRoundTrip(t *testing.T) {
	ents := []raft.Entry{
		{Index: 5, Term: 2, Type: raft.EntryNormal, Data: []byte("x")},
		{Index: 6, Term: 3, Type: raft.EntryNoop},
		{Index: 7, Term: 3, Type: raft.EntryConfig, Data: []byte{1, 2}},
	}
	msgs := []raft.Message{
		{Type: raft.MsgPreVote, From: 1, To: 2, Term: 4, Index: 9, LogTerm: 3},
		{Type: raft.MsgVote, From: 1, To: 2, Term: 4, Index: 9, LogTerm: 3, Context: []byte("transfer")},
		{Type: raft.MsgPreVoteResp, From: 2, To: 1, Term: 4, Reject: true},
		{Type: raft.MsgVoteResp, From: 2, To: 1, Term: 4},
		{Type: raft.MsgApp, From: 1, To: 3, Term: 4, Index: 4, LogTerm: 2, Entries: ents, Commit: 3},
		{Type: raft.MsgApp, From: 1, To: 3, Term: 4, Index: 4, LogTerm: 2, Commit: 3},
		{Type: raft.MsgHeartbeat, From: 1, To: 3, Term: 4, Commit: 3, Context: []byte("rd")},
		{Type: raft.MsgAppResp, From: 3, To: 1, Term: 4, Index: 7},
		{Type: raft.MsgAppResp, From: 3, To: 1, Term: 4, Index: 4, Reject: true, RejectHint: 2, LogTerm: 1},
		{Type: raft.MsgHeartbeatResp, From: 3, To: 1, Term: 4, Context: []byte("rd")},
		{Type: raft.MsgSnapResp, From: 3, To: 1, Term: 4, Index: 100},
		{Type: raft.MsgSnapResp, From: 3, To: 1, Term: 4, Reject: true},
		{Type: raft.MsgTimeoutNow, From: 1, To: 2, Term: 4},
		{Type: raft.MsgReadIndex, From: 2, To: 1, Term: 4, Context: []byte{9}},
		{Type: raft.MsgReadIndex, From: 2, To: 1, Term: 4, Context: []byte{9}, Lease: true},
		{Type: raft.MsgReadIndexResp, From: 1, To: 2, Term: 4, Index: 77, Commit: 70, Context: []byte{9}},
		{Type: raft.MsgReadIndexResp, From: 1, To: 2, Term: 4, Reject: true, Context: []byte{9}},
	}
	for _, m := range msgs {
		pm, err := messageToProto(m, 42)
		if err != nil {
			t.Fatalf("%v: to proto: %v", m.Type, err)
		}
		// Through the wire format, as the stream carries it.
		b, err := proto.Marshal(pm)
		if err != nil {
			t.Fatal(err)
		}
		var back raftpb.RaftMessage
		if err := proto.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got, h, err := messageFromProto(&back)
		if err != nil {
			t.Fatalf("%v: from proto: %v", m.Type, err)
		}
		if h.GetClusterId() != 42 || h.GetFrom() != uint64(m.From) || h.GetTo() != uint64(m.To) {
			t.Fatalf("%v: header %v", m.Type, h)
		}
		if !reflect.DeepEqual(normalize(got), normalize(m)) {
			t.Fatalf("round trip changed the message:\n got %+v\nwant %+v", got, m)
		}
	}
}

// normalize makes nil and empty byte slices compare equal, as protobuf
// does not distinguish them.
func normalize(m raft.Message) raft.Message {
	if len(m.Context) == 0 {
		m.Context = nil
	}
	for i := range m.Entries {
		if len(m.Entries[i].Data) == 0 {
			m.Entries[i].Data = nil
		}
	}
	return m
}

func TestMessageToProtoRejectsFieldsItCannotCarry(t *testing.T) {
	bad := []raft.Message{
		{Type: raft.MsgVote, From: 1, To: 2, Entries: []raft.Entry{{Index: 1}}},
		{Type: raft.MsgVoteResp, From: 1, To: 2, Index: 3},
		{Type: raft.MsgTimeoutNow, From: 1, To: 2, Commit: 3},
		{Type: raft.MsgApp, From: 1, To: 2, RejectHint: 1},
		{Type: raft.MsgSnap, From: 1, To: 2, Snapshot: &raft.SnapshotMeta{Index: 1}},
		{Type: raft.MsgReadIndexResp, From: 1, To: 2, Lease: true},
		{Type: raft.MsgHeartbeat, From: 1, To: 2, Lease: true},
		{Type: raft.MessageType(200), From: 1, To: 2},
	}
	for _, m := range bad {
		if _, err := messageToProto(m, 1); err == nil {
			t.Errorf("%v %+v: no error", m.Type, m)
		}
	}
}

func TestMessageFromProtoRejectsMalformed(t *testing.T) {
	h := &raftpb.Header{ClusterId: 1, From: 1, To: 2}
	bad := []*raftpb.RaftMessage{
		{},
		{Body: &raftpb.RaftMessage_RequestVote{RequestVote: &raftpb.RequestVoteRequest{Header: h, CandidateId: 3}}},
		{Body: &raftpb.RaftMessage_AppendEntries{AppendEntries: &raftpb.AppendEntriesRequest{Header: h, LeaderId: 3}}},
		{Body: &raftpb.RaftMessage_TimeoutNow{TimeoutNow: &raftpb.TimeoutNowRequest{Header: h, LeaderId: 3}}},
		{Body: &raftpb.RaftMessage_AppendEntries{AppendEntries: &raftpb.AppendEntriesRequest{
			Header: h, LeaderId: 1, Entries: []*raftpb.Entry{{Index: 1, Type: 9}}}}},
	}
	for i, pm := range bad {
		if _, _, err := messageFromProto(pm); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

func TestSnapshotHeaderRoundTrip(t *testing.T) {
	meta := &raft.SnapshotMeta{Index: 10, Term: 3, Config: raft.Configuration{Members: []raft.Member{
		{ID: 1, Addr: "a:1"}, {ID: 4, Addr: "b:2", Learner: true},
	}}}
	m := raft.Message{Type: raft.MsgSnap, From: 1, To: 4, Term: 5, Snapshot: meta}
	got, err := snapshotMessageFromProto(snapshotHeaderToProto(m, 7))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("got %+v want %+v", got, m)
	}
	if _, err := snapshotMessageFromProto(&raftpb.InstallSnapshotRequest{Header: &raftpb.Header{From: 1}, LeaderId: 1}); err == nil {
		t.Fatal("snapshot without index accepted")
	}
}
