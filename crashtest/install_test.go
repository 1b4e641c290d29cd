package crashtest

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/wal"
	"github.com/resqlite/resqlite/statemachine"
)

// crashPoint is a step of a snapshot install after which the node dies.
type crashPoint int

const (
	afterRestore       crashPoint = iota // state machine restored, not synced, log untouched
	afterSync                            // state machine restored and synced, log untouched
	afterApplySnapshot                   // log replaced too, applied index not yet published
)

func (p crashPoint) String() string {
	return [...]string{"AfterRestore", "AfterSync", "AfterApplySnapshot"}[p]
}

// crashingMachine is the real state machine that dies (returns errCrash,
// which stops the node) right after the install step at.
type crashingMachine struct {
	*statemachine.StateMachine
	at       crashPoint
	restored bool
}

func (s *crashingMachine) Restore(r io.Reader) error {
	if err := s.StateMachine.Restore(r); err != nil {
		return err
	}
	s.restored = true
	if s.at == afterRestore {
		return errCrash
	}
	return nil
}

func (s *crashingMachine) Sync() error {
	if err := s.StateMachine.Sync(); err != nil {
		return err
	}
	if s.restored && s.at == afterSync {
		return errCrash
	}
	return nil
}

// crashingLog is the real log that dies right after ApplySnapshot when at
// says so.
type crashingLog struct {
	*wal.Store
	at crashPoint
}

func (l *crashingLog) ApplySnapshot(meta raft.SnapshotMeta) error {
	if err := l.Store.ApplySnapshot(meta); err != nil {
		return err
	}
	if l.at == afterApplySnapshot {
		return errCrash
	}
	return nil
}

// A follower that missed compacted entries gets a snapshot and dies at
// each step of installing it; restarted on what it left on disk, it
// starts, catches up and ends with the leader's digest.
func TestCrashDuringSnapshotInstall(t *testing.T) {
	for _, at := range []crashPoint{afterRestore, afterSync, afterApplySnapshot} {
		t.Run(at.String(), func(t *testing.T) { testCrashDuringInstall(t, at) })
	}
}

func testCrashDuringInstall(t *testing.T, at crashPoint) {
	c := newCluster(t, 3)
	for id := range c.members {
		m := c.open(id)
		if err := c.start(id, m.sm, m.store); err != nil {
			t.Fatal(err)
		}
	}
	c.exec("CREATE TABLE t(x)", "INSERT INTO t VALUES (0)")
	c.waitConverged()

	victim := raft.NodeID(1)
	if c.leader().id == victim {
		victim = 2
	}
	c.stop(victim)
	for i := 1; i <= 60; i++ {
		c.exec(fmt.Sprintf("INSERT INTO t VALUES (%d)", i))
	}

	m := c.open(victim)
	if err := c.start(victim, &crashingMachine{StateMachine: m.sm, at: at}, &crashingLog{Store: m.store, at: at}); err != nil {
		t.Fatal(err)
	}
	if err := c.waitStopped(victim); !errors.Is(err, errCrash) {
		t.Fatalf("node %d stopped with %v, want the simulated crash during the snapshot install", victim, err)
	}
	c.stop(victim)

	m = c.open(victim)
	if err := c.start(victim, m.sm, m.store); err != nil {
		t.Fatalf("restart after a crash %s: %v", at, err)
	}
	c.exec("INSERT INTO t VALUES (61)")
	c.waitConverged()
}
