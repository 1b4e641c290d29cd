package client

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// RestoreChunkBytes is the size of the chunks Restore sends, one log entry
// each (well under the entry limit).
const RestoreChunkBytes = 1 << 20

// ErrRestoreRefused is wrapped by Restore's error when the cluster
// refused the file (nothing changed).
var ErrRestoreRefused = errors.New("restore refused")

// Restore replaces the cluster's database with the SQLite file read from
// r (size bytes, SHA-256 sum) through the log: the file goes in chunks of
// RestoreChunkBytes that every node stages, then one finishing entry
// swaps it in at its log position on every node. Each call has the
// client's timeout and is sent again across a leader change (a chunk is
// staged once however often it comes). progress, if not nil, is told the
// bytes sent after each chunk. It returns the finishing entry's index
// (0 when the finishing entry's answer was lost but the cluster shows it
// applied). The caller checks the file first (statemachine's
// ValidateDatabase); the cluster checks it again before swapping it in.
func (c *Client) Restore(ctx context.Context, r io.Reader, size int64, sum [sha256.Size]byte, progress func(done, total int64)) (uint64, error) {
	id, err := restoreID()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, RestoreChunkBytes)
	var off int64
	for off < size {
		n, err := io.ReadFull(r, buf[:min(int64(len(buf)), size-off)])
		if err != nil {
			return 0, fmt.Errorf("restore: read the file at offset %d: %w", off, err)
		}
		req := &resqlitepb.RestoreRequest{RestoreId: id, Offset: uint64(off), Data: buf[:n]}
		if _, err := c.restoreEntry(ctx, req, c.opts.Timeout); err != nil {
			return 0, fmt.Errorf("restore: chunk at offset %d: %w", off, err)
		}
		off += int64(n)
		if progress != nil {
			progress(off, size)
		}
	}
	return c.finishRestore(ctx, &resqlitepb.RestoreRequest{RestoreId: id, Finish: true, Size: uint64(size), Sha256: sum[:]})
}

// finishBytesPerSecond is the pace, at the least, at which a node
// assembles, checks and swaps in a restored file: the finishing entry's
// deadline is the client's timeout plus its size at this pace.
const finishBytesPerSecond = 4 << 20

// finishRestore sends the finishing entry. When its outcome is unknown
// (the leader changed under it), a linearizable read of the staged chunks
// tells: none left means it applied (the cluster refuses only a file that
// fails the checks the caller ran already), some left that it did not,
// and it is sent again.
func (c *Client) finishRestore(ctx context.Context, req *resqlitepb.RestoreRequest) (uint64, error) {
	for {
		timeout := c.opts.Timeout + time.Duration(req.GetSize()/finishBytesPerSecond)*time.Second
		index, err := c.restoreEntry(ctx, req, timeout)
		if !errors.Is(err, ErrOutcomeUnknown) {
			if err != nil {
				return 0, fmt.Errorf("restore: finish: %w", err)
			}
			return index, nil
		}
		rows, qerr := c.Query(ctx, Linearizable, "SELECT count(*) FROM "+sqlval.RestoreTable+" WHERE restore_id = ?", sqlval.Param{Value: sqlval.Integer(int64(req.GetRestoreId()))})
		if qerr != nil {
			return 0, fmt.Errorf("restore: finish: %w (and its outcome could not be read: %v)", err, qerr)
		}
		if len(rows.Rows) == 1 && len(rows.Rows[0]) == 1 && rows.Rows[0][0].Int == 0 {
			return 0, nil
		}
	}
}

// restoreEntry sends one restore entry, again while the answer is that
// nothing was proposed or, for a chunk, that its outcome is unknown, until
// timeout. A refusal is an error wrapping ErrRestoreRefused.
func (c *Client) restoreEntry(ctx context.Context, req *resqlitepb.RestoreRequest, timeout time.Duration) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for n := 0; ; n++ {
		resp, verdict, err := c.restoreOnce(ctx, req)
		if err == nil && resp.GetError() != nil {
			return 0, fmt.Errorf("%w: %s", ErrRestoreRefused, resp.GetError().GetMessage())
		}
		if err == nil {
			c.Observe(resp.GetIndex())
			return resp.GetIndex(), nil
		}
		mayHaveCommitted := !verdict || status.Code(err) == codes.Aborted
		if !retryable(ctx, err, verdict) || (req.GetFinish() && mayHaveCommitted) || backoff(ctx, n) != nil {
			return 0, writeError(err, verdict)
		}
	}
}

// restoreOnce makes one Restore call (see executeOnce).
func (c *Client) restoreOnce(ctx context.Context, req *resqlitepb.RestoreRequest) (*resqlitepb.ExecuteResponse, bool, error) {
	return callOnce(ctx, c, resqlitepb.ReSqliteClient.Restore, req)
}

// restoreID returns a random restore id (not 0).
func restoreID() (uint64, error) {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("restore: %w", err)
		}
		if id := binary.LittleEndian.Uint64(b[:]) >> 1; id != 0 {
			return id, nil
		}
	}
}
