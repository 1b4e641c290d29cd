package remote

import (
	"context"
	"io"

	"github.com/resqlite/resqlite/rpc/client"
)

// Dump implements repl.Client: the service's dump of the database, read
// at one applied index. With table names (LIKE patterns, as the CLI's
// .dump takes them) the service dumps only the matching tables, their
// rows, and the indexes, triggers and views on them.
//
// The service dumps whatever the node has applied beyond the session's
// index; so that a dump is as fresh as a linearizable read, a
// linearizable read first raises the session's index to the cluster's
// commit point (a lagging follower then waits to apply it).
func (c *Client) Dump(ctx context.Context, w io.Writer, tables ...string) error {
	if _, err := c.rpc.Query(ctx, client.Linearizable, "SELECT 1"); err != nil {
		return mapError(ctx, err)
	}
	_, err := c.rpc.Dump(ctx, w, tables...)
	return mapError(ctx, err)
}
