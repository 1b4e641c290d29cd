package transport

import (
	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/raftpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// committedConfig is the node's latest committed configuration, as
// SetCommittedConfiguration reported it.
type committedConfig struct {
	index   uint64
	members map[raft.NodeID]bool
}

// SetCommittedConfiguration records the node's latest committed
// configuration and the log index that introduced it, which refusals of
// non-members carry (notMember).
func (t *Transport) SetCommittedConfiguration(index uint64, c raft.Configuration) {
	members := make(map[raft.NodeID]bool, len(c.Members))
	for _, m := range c.Members {
		members[m.ID] = true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.committed = committedConfig{index: index, members: members}
}

// notMember is the PermissionDenied status refusing a message from a node
// that is not a member of this node's configuration. Its NotMember detail
// names this node's latest committed configuration and whether from is in
// it, so that a node removed while it was cut off learns of its removal
// (reportRefusal on its side).
func (t *Transport) notMember(from raft.NodeID) error {
	t.mu.RLock()
	detail := &raftpb.NotMember{CommittedConfigIndex: t.committed.index, MemberOfCommitted: t.committed.members[from]}
	t.mu.RUnlock()
	st := status.Newf(codes.PermissionDenied, "rpc: message from node %d, which is not a member of this node's configuration", from)
	if withDetail, err := st.WithDetails(detail); err == nil {
		st = withDetail
	}
	return st.Err()
}

// reportRefusal looks for evidence of this node's removal in err, the
// failure of a call to peer by: a refusal whose NotMember detail says
// by's latest committed configuration leaves this node out. The node
// decides whether that configuration is newer than its own.
func (t *Transport) reportRefusal(by raft.NodeID, err error) {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.PermissionDenied {
		return
	}
	for _, d := range st.Details() {
		nm, ok := d.(*raftpb.NotMember)
		if !ok || nm.GetMemberOfCommitted() || nm.GetCommittedConfigIndex() == 0 {
			continue
		}
		t.cfg.Logger.Debug("peer refused this node: not in its committed configuration",
			"peer", uint64(by), "config_index", nm.GetCommittedConfigIndex())
		if h := t.currentHandler(); h != nil {
			h.ReportRemoved(by, nm.GetCommittedConfigIndex())
		}
	}
}
