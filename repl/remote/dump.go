package remote

import (
	"context"
	"io"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Dump implements repl.Client: the service's dump of the database, read
// at one applied index, with the CLI's .dump options. With table names
// (LIKE patterns, as the CLI's .dump takes them) the service dumps only
// the objects whose names match.
//
// The service dumps whatever the node has applied beyond the session's
// index; so that a dump is as fresh as a linearizable read, a
// linearizable read first raises the session's index to the cluster's
// commit point (a lagging follower then waits to apply it).
func (c *Client) Dump(ctx context.Context, w io.Writer, opts sqlval.DumpOptions) error {
	if _, err := c.rpc.Query(ctx, client.Linearizable, "SELECT 1"); err != nil {
		return mapError(ctx, err)
	}
	_, err := c.rpc.DumpWith(ctx, w, opts)
	return mapError(ctx, err)
}
