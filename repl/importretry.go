package repl

import (
	"context"
	"fmt"
)

// importRetryWindow bounds the rows of a failed batch waiting for their
// replies while they are sent again one by one.
const importRetryWindow = 256

// oneByOne sends the rows of a batch that failed again, each as a write
// of its own, pipelined on a pipeline of their own (the shell's is busy
// with the batches behind this one), and returns which rows failed and
// the results of those inserted. An error means a row's write failed as
// a whole: the rows of the batch may or may not be in the table.
func (im *importer) oneByOne(ctx context.Context, b *importBatch) (map[int]*SQLError, map[int]*Result, error) {
	if im.s.opts.NoPipeline {
		return im.oneAtATime(ctx, b)
	}
	p, err := im.s.client.Pipeline(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("open pipeline: %w", err)
	}
	defer p.Close()
	failed, done := map[int]*SQLError{}, map[int]*Result{}
	next := 0 // the oldest row without its reply
	for i, stmt := range b.stmts {
		if err := p.Submit(Request{Entry: Entry{Statements: []string{stmt}}}); err != nil {
			return nil, nil, fmt.Errorf("send: %w", err)
		}
		for ; i-next >= importRetryWindow; next++ {
			if err := collectRow(p, next, failed, done); err != nil {
				return nil, nil, err
			}
		}
	}
	for ; next < len(b.stmts); next++ {
		if err := collectRow(p, next, failed, done); err != nil {
			return nil, nil, err
		}
	}
	return failed, done, nil
}

// collectRow receives row i's reply into failed or done.
func collectRow(p Pipeline, i int, failed map[int]*SQLError, done map[int]*Result) error {
	reply, err := p.Next()
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	if _, err := failedAt(reply, 1); err != nil {
		return err
	}
	if reply.Results[0].Err != nil {
		failed[i] = reply.Results[0].Err
		return nil
	}
	done[i] = &reply.Results[0]
	return nil
}

// oneAtATime is oneByOne for a shell that does not pipeline: each row
// waits for the reply to the one before.
func (im *importer) oneAtATime(ctx context.Context, b *importBatch) (map[int]*SQLError, map[int]*Result, error) {
	failed, done := map[int]*SQLError{}, map[int]*Result{}
	for i, stmt := range b.stmts {
		reply := im.s.roundTrip(ctx, Request{Entry: Entry{Statements: []string{stmt}}})
		if _, err := failedAt(reply, 1); err != nil {
			return nil, nil, err
		}
		if reply.Results[0].Err != nil {
			failed[i] = reply.Results[0].Err
			continue
		}
		done[i] = &reply.Results[0]
	}
	return failed, done, nil
}
