package raft

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log destination several nodes write to at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The state changes an operator cares about are logged at info level
// with structured attributes: a snapshot taken, a member removed, a
// leader losing leadership.
func TestNodeLogsOperatorEventsAtInfo(t *testing.T) {
	var buf lockedBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c := newMemCluster(t, 3, func(cfg *NodeConfig) {
		cfg.SnapshotEntries, cfg.CompactionMargin = 20, 5
		cfg.Logger = log
	})
	c.proposeAll(seq("a", 30))
	l := c.leader()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var other, removed NodeID
	for id := range c.started {
		switch {
		case id == l.ID():
		case other == None:
			other = id
		default:
			removed = id
		}
	}
	f, err := l.ProposeConfChange(ctx, ConfChange{Type: ConfRemove, Member: Member{ID: removed}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.TransferLeadership(ctx, other); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`msg="snapshot taken" node=` + fmt.Sprint(l.ID()),
		`msg="member removed" node=` + fmt.Sprint(l.ID()) + ` member=` + fmt.Sprint(removed),
		`msg="member removed" node=` + fmt.Sprint(other) + ` member=` + fmt.Sprint(removed),
		`msg="lost leadership" node=` + fmt.Sprint(l.ID()),
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		missing := ""
		for _, w := range want {
			if !strings.Contains(buf.String(), "level=INFO "+w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no info log %q in:\n%s", missing, buf.String())
		}
	}
}
