package main

import (
	"context"
	"fmt"
)

// sessPair is one system's two session variants: exactly-once, plain.
type sessPair [2]*rawWriter

func newSessPair(base string, cl *cluster) sessPair {
	return sessPair{{base: base, cl: cl, exactlyOnce: true}, {base: base, cl: cl}}
}

// ordered returns the pair in the order run runs them: the variant that
// goes first alternates with the run, so neither always follows the other.
func (p sessPair) ordered(run int) []*rawWriter {
	if run%2 == 0 {
		return []*rawWriter{p[1], p[0]}
	}
	return []*rawWriter{p[0], p[1]}
}

// sessRound runs the session-cost workloads once on every system, both
// variants back to back.
func (s *suite) sessRound(ctx context.Context, run int) error {
	for _, p := range s.sess {
		if s.cfg.wants(wlSessPipe) {
			if err := s.sessPipe(ctx, run, p); err != nil {
				return err
			}
		}
		if s.cfg.wants(wlSessConc) && !s.noConc {
			if err := s.sessConc(ctx, run, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// sessPipe runs wOnly's statements (sessPipeFactor times N) pipelined on each variant of p, each
// into a table of its own, dropped after the run.
func (s *suite) sessPipe(ctx context.Context, run int, p sessPair) error {
	for i, w := range p.ordered(run) {
		table := fmt.Sprintf("s%s_wonly_%d_%d", s.prefix, run, i)
		sizes := s.cfg.Sizes
		sizes.N *= sessPipeFactor
		body := WOnly(s.cfg.Seed, table, sizes).Body
		r := s.rep.result(wlSessPipe, "", 0, w.Name())
		if s.overBudget(r) {
			continue
		}
		smp, err := w.pipe(ctx, body)
		if err := s.record(ctx, r, run, smp, err); err != nil {
			return err
		}
		if err := w.exec(ctx, "DROP TABLE IF EXISTS "+table+";"); err != nil {
			s.log.Error("clean-up failed", "system", w.Name(), "err", err)
		}
	}
	return nil
}

// sessConc runs the concurrent writes at every number of clients on each
// variant of p.
func (s *suite) sessConc(ctx context.Context, run int, p sessPair) error {
	if err := p[1].setup(ctx, s.cfg.ConcRows); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Error("setup failed", "system", p[1].Name(), "err", err)
		return nil
	}
	for _, n := range s.cfg.Clients {
		for _, w := range p.ordered(run) {
			seed := s.cfg.Seed + uint64(run)
			smp, err := runConc(ctx, w, kindWrite, n, s.cfg.ConcDuration, seed, s.cfg.ConcRows)
			if err := s.record(ctx, s.rep.result(wlSessConc, kindWrite, n, w.Name()), run, smp, err); err != nil {
				return err
			}
		}
	}
	return nil
}
