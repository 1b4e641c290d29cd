package wal

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// killChildEnv names the directory the child process appends to.
const killChildEnv = "RESQLITE_WAL_KILL_CHILD"

// killSegmentSize makes the child roll segments every few dozen batches.
const killSegmentSize = 32 << 10

// killPayload is entry index's data in the kill test: its content and
// length follow from the index alone.
func killPayload(index uint64) []byte {
	return payload(index, 1, int(index*7919%700))
}

// killSnapshotData is the snapshot file content for a snapshot at index.
func killSnapshotData(index uint64) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("state at %d;", index)), 200)
}

// runKillChild appends batches to the store in dir forever, printing
// "ack N" once Save has returned for a batch ending at index N, and now and
// then takes a snapshot 30 entries back and compacts, until it is killed.
func runKillChild(dir string) int {
	s, err := Open(dir, Options{SegmentSize: killSegmentSize})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		return 2
	}
	last, _ := s.LastIndex()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for batch := 0; ; batch++ {
		n := 1 + rng.Intn(16)
		ents := make([]raft.Entry, n)
		for i := range ents {
			idx := last + 1 + uint64(i)
			ents[i] = raft.Entry{Index: idx, Term: 1, Data: killPayload(idx)}
		}
		if err := s.Save(raft.HardState{Term: 1, Vote: 1, Commit: last}, ents); err != nil {
			fmt.Fprintln(os.Stderr, "child: save:", err)
			return 3
		}
		last += uint64(n)
		fmt.Fprintf(os.Stdout, "ack %d\n", last)
		if batch%8 == 7 && last > 50 {
			if err := childSnapshot(s, last-30); err != nil {
				fmt.Fprintln(os.Stderr, "child: snapshot:", err)
				return 4
			}
		}
	}
}

// childSnapshot does what the node driver does after the state machine
// wrote a snapshot at index: save the file, record it, and compact the
// log keeping 20 entries before it.
func childSnapshot(s *Store, index uint64) error {
	w, err := s.NewSnapshot()
	if err != nil {
		return err
	}
	w.Write(killSnapshotData(index))
	meta := raft.SnapshotMeta{Index: index, Term: 1}
	if err := s.SaveSnapshotFile(w, meta); err != nil {
		return err
	}
	if err := s.CreateSnapshot(meta); err != nil {
		return err
	}
	return s.Compact(index - 20)
}

// TestKillDuringAppends SIGKILLs a child process appending to a store at
// random moments, many times over the same directory, and checks after
// each kill that every batch the child acknowledged (after Save returned)
// is there, in order, with no gaps, along with the snapshot it recorded.
func TestKillDuringAppends(t *testing.T) {
	kills := 25
	if testing.Short() {
		kills = 8
	}
	if v, err := strconv.Atoi(os.Getenv("RESQLITE_WAL_KILLS")); err == nil && v > 0 {
		kills = v
	}
	dir := t.TempDir()
	var maxAck uint64
	torn, snapshots := 0, 0
	for i := 0; i < kills; i++ {
		acked := killChildOnce(t, dir, int64(i))
		maxAck = max(maxAck, acked)
		s, err := Open(dir, Options{SegmentSize: killSegmentSize})
		if err != nil {
			t.Fatalf("kill %d: reopen after SIGKILL: %v", i, err)
		}
		if s.Recovery().TornFile != "" {
			torn++
		}
		checkKillLog(t, s, maxAck, i)
		if m, _ := s.Snapshot(); !m.IsEmpty() {
			snapshots++
		}
		s.Close()
	}
	t.Logf("%d kills, last acknowledged index %d, %d reopens found a snapshot, %d truncated a torn tail", kills, maxAck, snapshots, torn)
}

// killChildOnce runs the child until its first acknowledgement, lets it
// run a random while longer, SIGKILLs it and returns the highest index it
// acknowledged.
func killChildOnce(t *testing.T, dir string, seed int64) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { // reap the child whatever happens
		cmd.Process.Kill()
		cmd.Wait()
	}()
	var acked atomic.Uint64
	first := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		once := false
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 2 && f[0] == "ack" {
				n, _ := strconv.ParseUint(f[1], 10, 64)
				acked.Store(n)
				if !once {
					once = true
					close(first)
				}
			}
		}
		done <- sc.Err()
	}()
	select {
	case <-first:
	case err := <-done:
		cmd.Wait()
		t.Fatalf("kill %d: child exited before acknowledging anything (%v): %s", seed, err, stderr.String())
	case <-ctx.Done():
		t.Fatalf("kill %d: no acknowledgement from the child: %s", seed, stderr.String())
	}
	// The child holds the directory: this process cannot open it.
	if s, err := Open(dir, Options{SegmentSize: killSegmentSize}); !errors.Is(err, ErrLocked) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("kill %d: Open while the child has the directory: %v, want ErrLocked", seed, err)
	}
	// Pacing, not a settle-sleep: the kill lands at a random point (0 to
	// 80ms, from the seed) of the child's stream of writes, which is what
	// the test explores.
	rng := rand.New(rand.NewSource(seed))
	time.Sleep(time.Duration(rng.Intn(80000)) * time.Microsecond)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatalf("kill %d: %v", seed, err)
	}
	select {
	case <-done: // every acknowledgement the child wrote is read
	case <-ctx.Done():
		t.Fatalf("kill %d: child output did not end after SIGKILL", seed)
	}
	io.Copy(io.Discard, out)
	return acked.Load()
}

// checkKillLog verifies the reopened log holds every acknowledged index
// with the expected data and no gaps.
func checkKillLog(t *testing.T, s *Store, acked uint64, kill int) {
	t.Helper()
	first, _ := s.FirstIndex()
	last, _ := s.LastIndex()
	if last < acked {
		t.Fatalf("kill %d: log ends at %d but %d was acknowledged", kill, last, acked)
	}
	meta, _ := s.Snapshot()
	// The child compacts to 20 entries before each snapshot right after
	// recording it; a kill in between leaves the previous compaction.
	if first > meta.Index+1 || (!meta.IsEmpty() && first > meta.Index-20) {
		t.Fatalf("kill %d: first index %d with a snapshot at %d (compacted to 20 before it)", kill, first, meta.Index)
	}
	for lo := first; lo <= last; {
		ents, err := s.Entries(lo, last+1, 1<<20)
		if err != nil {
			t.Fatalf("kill %d: Entries(%d, %d): %v", kill, lo, last+1, err)
		}
		for _, e := range ents {
			if e.Index != lo || e.Term != 1 || !bytes.Equal(e.Data, killPayload(e.Index)) {
				t.Fatalf("kill %d: entry %d/%d (%d bytes) where %d/1 was written", kill, e.Index, e.Term, len(e.Data), lo)
			}
			lo++
		}
	}
	hs, _, _ := s.InitialState()
	if hs.Term != 1 || hs.Commit > last {
		t.Fatalf("kill %d: hard state %+v with last index %d", kill, hs, last)
	}
	if !meta.IsEmpty() {
		r, err := s.OpenSnapshot()
		if err != nil {
			t.Fatalf("kill %d: snapshot %d: %v", kill, meta.Index, err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(data, killSnapshotData(meta.Index)) {
			t.Fatalf("kill %d: snapshot %d data: %v", kill, meta.Index, err)
		}
	}
}
