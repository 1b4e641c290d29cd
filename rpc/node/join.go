package node

import (
	"context"
	"fmt"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// JoinTimeout bounds the whole join: reaching the member, being added,
// catching up and being promoted.
const JoinTimeout = 2 * time.Minute

// joinInfo is what a member told a joining node about its cluster.
type joinInfo struct {
	clusterID uint64
	members   raft.Configuration
	// initialRules is the determinism rules version the cluster's
	// databases started at: the joining node's new database starts there
	// too, so that it replays the log under the same rules.
	initialRules statemachine.RulesVersion
}

// askToJoin asks the member at addr for the cluster's id and members,
// dialing it with dialOpts (the node's TLS, when it has one).
func askToJoin(ctx context.Context, addr string, dialOpts []grpc.DialOption) (*joinInfo, error) {
	c, err := grpc.NewClient(addr, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, dialOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("%w: join through %s: %w", ErrConfig, addr, err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := resqlitepb.NewReSqliteClient(c).Status(ctx, &resqlitepb.StatusRequest{}, grpc.WaitForReady(true))
	if err != nil {
		return nil, fmt.Errorf("join through %s: ask for the cluster's status: %w", addr, err)
	}
	info := &joinInfo{clusterID: st.GetClusterId(), initialRules: statemachine.RulesVersion(st.GetInitialRulesVersion())}
	if info.initialRules == 0 { // a member older than rules versions
		info.initialRules = statemachine.RulesV1
	}
	if info.initialRules > statemachine.MaxRulesVersion {
		return nil, fmt.Errorf("%w: join through %s: %w", ErrConfig, addr, &statemachine.UnknownRulesError{Version: info.initialRules})
	}
	for _, m := range st.GetMembers() {
		info.members.Members = append(info.members.Members, raft.Member{ID: raft.NodeID(m.GetId()), Addr: m.GetAddress(), Learner: m.GetLearner()})
	}
	return info, nil
}

// join asks the cluster, through the member at Config.Join, to add this
// node; it returns once the node was promoted to voter.
func (n *Node) join(ctx context.Context) error {
	c, err := grpc.NewClient(n.cfg.Join, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, n.cfg.DialOptions...)...)
	if err != nil {
		return fmt.Errorf("join through %s: %w", n.cfg.Join, err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, JoinTimeout)
	defer cancel()
	_, err = resqlitepb.NewReSqliteClient(c).AddMember(ctx, &resqlitepb.AddMemberRequest{Id: uint64(n.cfg.ID), Address: n.cfg.Advertise})
	if err != nil {
		return fmt.Errorf("join through %s: add node %d at %s: %w", n.cfg.Join, n.cfg.ID, n.cfg.Advertise, err)
	}
	n.log.Info("joined the cluster", "id", uint64(n.cfg.ID), "through", n.cfg.Join)
	return nil
}

// seededTransport is the transport of a joining node until it learns the
// configuration from the leader: while the node's own configuration is
// empty, the members the cluster reported stand in for it, so the
// leader's messages are accepted.
type seededTransport struct {
	raft.Transport
	seed raft.Configuration
}

// SetMembers passes c on, or the seed while c is empty.
func (t seededTransport) SetMembers(c raft.Configuration) {
	if len(c.Members) == 0 {
		c = t.seed
	}
	t.Transport.SetMembers(c)
}
