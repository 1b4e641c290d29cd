package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// Backup writes the user's database as a plain SQLite file, taken by the
// node at one applied index, to w as it streams in, and returns that
// index. progress, if not nil, is called after each chunk with the bytes
// received and the file's size.
func (c *Client) Backup(ctx context.Context, w io.Writer, progress func(done, total int64)) (uint64, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return 0, err
	}
	stream, err := rc.Backup(ctx, &resqlitepb.BackupRequest{MinIndex: c.SeenIndex()})
	if err != nil {
		return 0, err
	}
	var index uint64
	var done, total int64
	for first := true; ; first = false {
		chunk, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF) && first:
			return 0, errors.New("backup: the node sent nothing")
		case errors.Is(err, io.EOF) && done != total:
			return index, fmt.Errorf("backup: the stream ended after %d of %d bytes", done, total)
		case errors.Is(err, io.EOF):
			return index, nil
		case err != nil:
			return index, err
		}
		if first {
			index, total = chunk.GetAppliedIndex(), chunk.GetSize()
		}
		if _, err := w.Write(chunk.GetData()); err != nil {
			return index, fmt.Errorf("backup: %w", err)
		}
		done += int64(len(chunk.GetData()))
		if progress != nil {
			progress(done, total)
		}
	}
}
