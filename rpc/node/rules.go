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

// rulesCheckInterval is how often a node whose database is below the
// newest determinism rules version checks, while it leads, whether the
// cluster can switch.
const rulesCheckInterval = time.Second

// upgradeRules runs for the node's life: while the state machine's rules
// version is below the newest this binary knows and this node leads, it
// asks every member which version it supports (Status) and, once all
// support the newest, proposes the rules entry that switches the cluster
// at its log position (see statemachine.RulesVersion). It returns once
// the version in force is the newest, or when ctx ends.
func (n *Node) upgradeRules(ctx context.Context) {
	t := time.NewTicker(n.rulesInterval())
	defer t.Stop()
	for n.state.RulesVersion() < statemachine.MaxRulesVersion {
		select {
		case <-ctx.Done():
			return
		case <-n.raft.Done():
			return
		case <-t.C:
		}
		if err := n.tryUpgradeRules(ctx); err != nil {
			n.log.Info("determinism rules not switched yet", "to", uint32(statemachine.MaxRulesVersion), "reason", err)
		}
	}
}

// rulesInterval is rulesCheckInterval, or a fraction of it for the
// fast-ticking clusters of tests.
func (n *Node) rulesInterval() time.Duration {
	if d := n.cfg.TickInterval * 10; d > 0 && d < rulesCheckInterval {
		return d
	}
	return rulesCheckInterval
}

// tryUpgradeRules proposes the switch to statemachine.MaxRulesVersion if
// this node leads and every member supports it, and waits for the entry
// to apply. It returns why it did not switch (nil when not leading).
func (n *Node) tryUpgradeRules(ctx context.Context) error {
	if !n.raft.IsLeader() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := n.raft.Status(ctx)
	if err != nil {
		return err
	}
	for _, m := range st.Config.Members {
		v, err := n.memberRulesVersion(ctx, m)
		if err != nil {
			return fmt.Errorf("member %d: %w", m.ID, err)
		}
		if v < statemachine.MaxRulesVersion {
			return fmt.Errorf("member %d supports rules up to version %d", m.ID, v)
		}
	}
	data := statemachine.EncodeCommand(statemachine.Command{Rules: statemachine.MaxRulesVersion})
	f, err := n.raft.Propose(ctx, data)
	if err != nil {
		return fmt.Errorf("propose the switch: %w", err)
	}
	if _, err := f.Wait(ctx); err != nil {
		return fmt.Errorf("switch entry %d: %w", f.Index(), err)
	}
	n.log.Info("determinism rules switched", "version", uint32(statemachine.MaxRulesVersion), "index", f.Index())
	return nil
}

// memberRulesVersion asks member m (this node answers for itself) for the
// newest rules version its binary supports; a binary older than rules
// versions answers 0.
func (n *Node) memberRulesVersion(ctx context.Context, m raft.Member) (statemachine.RulesVersion, error) {
	if m.ID == n.cfg.ID {
		return statemachine.MaxRulesVersion, nil
	}
	opts := append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, n.cfg.DialOptions...)
	c, err := grpc.NewClient(m.Addr, opts...)
	if err != nil {
		return 0, fmt.Errorf("dial %s: %w", m.Addr, err)
	}
	defer c.Close()
	resp, err := resqlitepb.NewReSqliteClient(c).Status(ctx, &resqlitepb.StatusRequest{})
	if err != nil {
		return 0, fmt.Errorf("status of %s: %w", m.Addr, err)
	}
	return statemachine.RulesVersion(resp.GetMaxRulesVersion()), nil
}

// startRulesUpgrade runs upgradeRules until stopRulesUpgrade.
func (n *Node) startRulesUpgrade() {
	ctx, cancel := context.WithCancel(context.Background())
	n.stopRules = cancel
	n.rulesDone = make(chan struct{})
	go func() {
		defer close(n.rulesDone)
		n.upgradeRules(ctx)
	}()
}

// stopRulesUpgrade stops upgradeRules and waits for it.
func (n *Node) stopRulesUpgrade() {
	if n.stopRules != nil {
		n.stopRules()
		<-n.rulesDone
	}
}
