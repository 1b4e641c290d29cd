package faults

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// opTimeout bounds one operation: the client's default deadline, within
// which a request rides out leader changes and node failures (a write
// still unresolved then ends unknown), as a user's would.
const opTimeout = client.DefaultTimeout

// workload is one kind of client traffic and its checker.
type workload interface {
	name() string
	// setup creates the workload's tables, before any fault.
	setup(ctx context.Context, c *client.Client) error
	// run does operations through w until stop ends; an operation under
	// way then still finishes.
	run(stop context.Context, w worker)
	// final reads what the checker needs once the cluster is healed.
	final(ctx context.Context, c *client.Client) error
	// check returns the safety violations found and a one-word verdict.
	check(timeout time.Duration) (verdict string, violations []string)
	tally() *tally
	// artifacts writes the workload's evidence of a failure into dir.
	artifacts(dir string) error
}

// worker is one client goroutine: its own session to the cluster.
type worker struct {
	id  int
	c   *client.Client
	rng *rand.Rand
	now func() time.Duration
}

// unique returns a value no other worker or operation uses.
func (w worker) unique(seq *int64) int64 {
	*seq++
	return int64(w.id+1)<<32 | *seq
}

// level picks the read consistency: linearizable or lease (the levels
// that promise linearizability).
func (w worker) level() client.Consistency {
	if w.rng.IntN(2) == 0 {
		return client.Linearizable
	}
	return client.Lease
}

func opContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}

func intParams(vs ...int64) []client.Param {
	out := make([]client.Param, len(vs))
	for i, v := range vs {
		out[i] = client.Param{Value: sqlval.Integer(v)}
	}
	return out
}

func stmt(sql string, params ...int64) client.Statement {
	return client.Statement{SQL: sql, Params: intParams(params...)}
}

// execute is an Execute whose SQL error counts as an error (the entry
// was rolled back: nothing applied).
func execute(ctx context.Context, c *client.Client, stmts ...client.Statement) (*client.ExecResult, error) {
	res, err := c.Execute(ctx, stmts...)
	if err == nil && res.Err != nil {
		return nil, res.Err
	}
	return res, err
}

func levelName(l client.Consistency) string {
	switch l {
	case client.Linearizable:
		return "linearizable"
	case client.Lease:
		return "lease"
	case client.Local:
		return "local"
	}
	return l.String()
}
