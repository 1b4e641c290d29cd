package raft

import "context"

// ProposeBatch appends each element of data as its own normal entry, in
// order, in one turn of the node goroutine, so that a pipelined client's
// proposals share one log write and one round of messages. It returns
// the futures of the entries it appended; if it stops early (this node is
// not the leader: *NotLeaderError, or the core refused), the error says
// why and the remaining elements were not proposed.
func (n *Node) ProposeBatch(ctx context.Context, data [][]byte) ([]*Future, error) {
	var fs []*Future
	var err error
	if derr := n.do(ctx, func() {
		for _, d := range data {
			index, term, perr := n.core.Propose(d)
			if perr == ErrProposalDropped {
				perr = &NotLeaderError{Leader: n.core.Lead()}
			}
			if perr != nil {
				err = perr
				return
			}
			f := newFuture(index, term)
			n.addProposal(f)
			fs = append(fs, f)
		}
	}); derr != nil {
		return nil, derr
	}
	return fs, err
}
