package sqldriver

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrReadInTransaction is returned by a Query inside a transaction: the
// transaction's statements reach the cluster only at Commit, so a read
// could not see them.
var ErrReadInTransaction = errors.New("sqldriver: reads inside a transaction are not supported (its statements are sent as one entry at Commit); read before Begin or after Commit")

// ErrResultPending is returned by the methods of a Result of an Exec
// inside a transaction until the transaction committed.
var ErrResultPending = errors.New("sqldriver: the result of a statement inside a transaction is known only after Commit")

// ctxError makes err, the failure of a call under ctx, wrap the context's
// error when the context was cancelled or expired, so that
// errors.Is(err, context.Canceled) (or DeadlineExceeded) holds whatever
// form the failure took on its way back (a gRPC status, for instance).
func ctxError(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if d, ok := ctx.Deadline(); cerr == nil && ok && !time.Now().Before(d) {
		// The deadline passed but the context's timer has not fired yet:
		// the node, which got the deadline with the call, answered first.
		cerr = context.DeadlineExceeded
	}
	if cerr == nil || errors.Is(err, cerr) {
		return err
	}
	return fmt.Errorf("%w: %w", cerr, err)
}
