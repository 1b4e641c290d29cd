package client

import (
	"context"
	"errors"
	"io"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Status describes the node the client talks to, and teaches the client
// the members' addresses for fail-over.
func (c *Client) Status(ctx context.Context) (*resqlitepb.StatusResponse, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	st, err := rc.Status(ctx, &resqlitepb.StatusRequest{})
	if err != nil {
		return nil, err
	}
	addrs := make([]string, 0, len(st.GetMembers()))
	for _, m := range st.GetMembers() {
		addrs = append(addrs, m.GetAddress())
	}
	c.learn(addrs)
	return st, nil
}

// Members lists the cluster's members as the leader sees them.
func (c *Client) Members(ctx context.Context) (*resqlitepb.MembersResponse, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	return rc.Members(ctx, &resqlitepb.MembersRequest{})
}

// AddMember adds node id at addr as a learner and promotes it once caught
// up (unless learnerOnly).
func (c *Client) AddMember(ctx context.Context, id uint64, addr string, learnerOnly bool) (*resqlitepb.AddMemberResponse, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	return rc.AddMember(ctx, &resqlitepb.AddMemberRequest{Id: id, Address: addr, LearnerOnly: learnerOnly})
}

// RemoveMember removes node id from the configuration.
func (c *Client) RemoveMember(ctx context.Context, id uint64) (*resqlitepb.RemoveMemberResponse, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	return rc.RemoveMember(ctx, &resqlitepb.RemoveMemberRequest{Id: id})
}

// TakeSnapshot makes the node snapshot its state now and returns the
// index the snapshot covers.
func (c *Client) TakeSnapshot(ctx context.Context) (uint64, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return 0, err
	}
	resp, err := rc.TakeSnapshot(ctx, &resqlitepb.TakeSnapshotRequest{})
	return resp.GetIndex(), err
}

// TransferLeadership asks the leader to hand over to node to (0: the
// leader picks) and returns the new leader's id.
func (c *Client) TransferLeadership(ctx context.Context, to uint64) (uint64, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return 0, err
	}
	resp, err := rc.TransferLeadership(ctx, &resqlitepb.TransferLeadershipRequest{To: to})
	return resp.GetLeaderId(), err
}

// Digest returns the node's content digest once it applied the session's
// index.
func (c *Client) Digest(ctx context.Context) (*resqlitepb.DigestResponse, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	return rc.Digest(ctx, &resqlitepb.DigestRequest{MinIndex: c.SeenIndex()})
}

// Dump writes the database as SQL text, read at one applied index, to w
// and returns that index. With tables (LIKE patterns) the node dumps only
// the objects whose names match one, as the sqlite3 CLI's .dump does.
func (c *Client) Dump(ctx context.Context, w io.Writer, tables ...string) (uint64, error) {
	return c.DumpWith(ctx, w, sqlval.DumpOptions{Tables: tables})
}

// DumpWith is Dump with the sqlite3 CLI's .dump options.
func (c *Client) DumpWith(ctx context.Context, w io.Writer, opts sqlval.DumpOptions) (uint64, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return 0, err
	}
	stream, err := rc.Dump(ctx, &resqlitepb.DumpRequest{
		MinIndex:       c.SeenIndex(),
		Tables:         wire.Bytes(opts.Tables),
		DataOnly:       opts.DataOnly,
		NoSys:          opts.NoSys,
		Newlines:       opts.Newlines,
		PreserveRowids: opts.PreserveRowids,
	})
	if err != nil {
		return 0, err
	}
	var index uint64
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return index, nil
		}
		if err != nil {
			return index, err
		}
		if chunk.GetAppliedIndex() != 0 {
			index = chunk.GetAppliedIndex()
		}
		if _, err := w.Write(chunk.GetSql()); err != nil {
			return index, err
		}
	}
}
