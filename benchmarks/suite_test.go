package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// runRounds starts no round that would end past the deadline, but always
// runs the first, and reports how many it ran; the output says so.
func TestRunRoundsDeadline(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		deadline time.Duration
		want     int
	}{{time.Nanosecond, 1}, {time.Hour, 3}} {
		cfg, err := parseConfig([]string{"-runs", "3", "-match", "^none$", "-deadline", tc.deadline.String()}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		s := &suite{cfg: cfg, log: log, rep: &Report{Config: cfg}}
		got, err := runRounds(context.Background(), log, []*suite{s}, time.Now().Add(-time.Millisecond))
		if err != nil || got != tc.want {
			t.Errorf("deadline %v: %d rounds (%v), want %d", tc.deadline, got, err, tc.want)
		}
		s.rep.RunsDone = got
		note := runsNote(s.rep)
		if cut := got < 3; cut != (note != "median of 3 runs") {
			t.Errorf("deadline %v: note %q", tc.deadline, note)
		}
	}
}
