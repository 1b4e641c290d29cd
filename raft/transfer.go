package raft

import "fmt"

// TransferLeader hands leadership to voter to (thesis §3.10): the leader
// stops accepting proposals and serving lease reads, brings to up to date
// and then sends it MsgTimeoutNow, upon which to campaigns at once. The
// transfer is aborted if it has not completed within an election timeout.
func (c *Core) TransferLeader(to NodeID) error {
	if c.log.err != nil {
		return c.log.err
	}
	if c.role != RoleLeader {
		return ErrNotLeader
	}
	if to == c.id {
		return nil
	}
	if !c.cfg.IsVoter(to) {
		return fmt.Errorf("raft: transfer leadership to %d: not a voter", to)
	}
	if c.leadTransferee == to {
		return nil
	}
	c.abortLeaderTransfer()
	c.leadTransferee = to
	c.electionElapsed = 0
	c.logger.Info("transferring leadership", "to", uint64(to), "term", c.term)
	if c.prs[to].match == c.log.lastIndex() {
		c.sendTimeoutNow(to)
	} else {
		c.maybeSendAppend(to, true)
	}
	return nil
}

func (c *Core) sendTimeoutNow(to NodeID) {
	c.reads.leaseForfeited = true
	c.send(Message{Type: MsgTimeoutNow, To: to})
}

func (c *Core) abortLeaderTransfer() { c.leadTransferee = None }
