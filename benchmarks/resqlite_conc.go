package main

import (
	"context"
	"fmt"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// resqliteConc runs the concurrent workloads with the Go client against
// the leader or a follower of a cluster; each client is its own
// rpc/client.Client (its own connection and session). Reads are
// linearizable.
type resqliteConc struct {
	name       string
	cl         *cluster
	atFollower bool
}

func (s *resqliteConc) Name() string    { return s.name }
func (s *resqliteConc) nodePIDs() []int { return s.cl.pids() }

func (s *resqliteConc) target(ctx context.Context) (*node, error) {
	l, err := s.cl.leader(ctx, 30*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	if s.atFollower {
		return s.cl.follower(l), nil
	}
	return l, nil
}

func (s *resqliteConc) setup(ctx context.Context, rows int) error {
	ds, err := s.clients(ctx, 1)
	if err != nil {
		return err
	}
	defer ds[0].close()
	for _, q := range concSetupSQL(rows) {
		if err := ds[0].write(ctx, q); err != nil {
			return fmt.Errorf("%s setup: %w", s.name, err)
		}
	}
	return nil
}

func (s *resqliteConc) clients(ctx context.Context, n int) ([]doer, error) {
	nd, err := s.target(ctx)
	if err != nil {
		return nil, err
	}
	ds := make([]doer, 0, n)
	for range n {
		c, err := client.Dial(ctx, nd.addr, client.Options{})
		if err != nil {
			for _, d := range ds {
				d.close()
			}
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		ds = append(ds, goClient{c})
	}
	return ds, nil
}

type goClient struct{ c *client.Client }

func (g goClient) close() { g.c.Close() }

func (g goClient) write(ctx context.Context, q string) error {
	res, err := g.c.Exec(ctx, q)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if res.Err != nil {
		return fmt.Errorf("write: %w", res.Err)
	}
	return nil
}

func (g goClient) read(ctx context.Context, q string) error {
	if _, err := g.c.Query(ctx, client.Linearizable, q); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}
