package statemachine

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	osexec "os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// crashEntries is the workload of the crash test.
func crashEntries(seed uint64, n int) []raft.Entry {
	w := newWorkload(seed)
	entries := make([]raft.Entry, n)
	for i := range entries {
		entries[i] = w.next()
	}
	return entries
}

// TestCrashChild is the child process of TestCrashDuringApply: it applies
// the workload in batches from the stored applied index on, printing the
// applied index after each batch, until it is killed or done.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("RESQLITE_CRASH_DIR")
	if dir == "" {
		t.Skip("child process of TestCrashDuringApply")
	}
	seed, _ := strconv.ParseUint(os.Getenv("RESQLITE_CRASH_SEED"), 10, 64)
	n, _ := strconv.Atoi(os.Getenv("RESQLITE_CRASH_N"))
	entries := crashEntries(seed, n)
	sm, err := Open(dir, Options{ReadConns: 1})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for next := int(sm.AppliedIndex()); next < n; {
		end := min(n, next+1+rng.IntN(30))
		if _, err := sm.Apply(entries[next:end]); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		next = end
		fmt.Println("applied", sm.AppliedIndex())
	}
	fmt.Println("done")
	os.Exit(0)
}

// TestCrashDuringApply kills a child process (SIGKILL) while it applies,
// several times, restarting it each time from what it left on disk, then
// finishes in this process and compares the digest with a clean replay.
func TestCrashDuringApply(t *testing.T) {
	const seed = 11
	n := 1500
	if testing.Short() {
		n = 400
	}
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	crashes := 0
	var lastSeen uint64
	for round := 0; round < 4; round++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := osexec.CommandContext(ctx, exe, "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "RESQLITE_CRASH_DIR="+dir, "RESQLITE_CRASH_SEED="+strconv.Itoa(seed), "RESQLITE_CRASH_N="+strconv.Itoa(n))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killAfter := 3 + rng.IntN(15)
		sc := bufio.NewScanner(out)
		lines, done := 0, false
		for sc.Scan() {
			var idx uint64
			if _, err := fmt.Sscanf(sc.Text(), "applied %d", &idx); err == nil {
				lastSeen = idx
				if lines++; lines == killAfter {
					cmd.Process.Kill()
					crashes++
					break
				}
			} else if sc.Text() == "done" {
				done = true
			} else if len(sc.Text()) > 5 && sc.Text()[:5] == "error" {
				t.Errorf("child: %s", sc.Text())
			}
		}
		cmd.Wait()
		cancel()
		if t.Failed() {
			t.FailNow()
		}
		sm, err := Open(dir, Options{ReadConns: 1})
		if err != nil {
			t.Fatalf("reopen after kill: %v", err)
		}
		got := sm.AppliedIndex()
		sm.Close()
		// A killed process loses nothing committed (WAL, synchronous=NORMAL).
		if got < lastSeen {
			t.Fatalf("applied index %d after restart, child had reported %d", got, lastSeen)
		}
		if done {
			break
		}
	}
	entries := crashEntries(seed, n)
	sm := openAt(t, dir)
	if _, err := sm.Apply(entries[sm.AppliedIndex():]); err != nil {
		t.Fatal(err)
	}
	clean := openTest(t)
	if _, err := clean.Apply(entries); err != nil {
		t.Fatal(err)
	}
	if a, b := digest(t, sm), digest(t, clean); a != b {
		t.Fatalf("digest after %d crashes %v, clean replay %v", crashes, a, b)
	}
	t.Logf("%d kills, digests agree at index %d", crashes, n)
}
