package remote

import (
	"context"
	"io"

	"github.com/resqlite/resqlite/rpc/client"
)

// Backup implements repl.Backuper: the node's backup of the user's
// database, a plain SQLite file taken at one applied index, streamed to
// w. As Dump does, a linearizable read first raises the session's index
// to the cluster's commit point, so the backup is at least as fresh.
func (c *Client) Backup(ctx context.Context, w io.Writer, progress func(done, total int64)) (uint64, error) {
	if _, err := c.rpc.Query(ctx, client.Linearizable, "SELECT 1"); err != nil {
		return 0, mapError(ctx, err)
	}
	index, err := c.rpc.Backup(ctx, w, progress)
	return index, mapError(ctx, err)
}
