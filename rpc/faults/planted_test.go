package faults

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// The checker can fail: a planted bug, a `local` read of an old leader
// cut off by a partition recorded as if it were linearizable, after a
// write through the majority's new leader, makes porcupine reject the
// register history, and the failure's artifacts (visualization, logs,
// seed, schedule) are written. The same history without the planted read
// passes. The situation is built on purpose, so it fails every time:
// the partition is real (proxies), the stale value is read from a real
// node process.
func TestPlantedStaleReadIsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node processes; skipped with -short")
	}
	sched := newSchedule()
	c := newCluster(t, 3, sched)
	reg := newRegisters(1)
	setupWorkloads(t, c, []workload{reg})
	old := c.leader()
	w := worker{id: 0, c: c.client(t, old-1), rng: rand.New(rand.NewPCG(1, 1)), now: sched.now}
	var seq int64
	v1 := w.unique(&seq)
	reg.write(w, 0, v1)
	waitApplied(t, c, old, w.c.SeenIndex())

	rest := others([]int{1, 2, 3}, old)
	c.partition(split([]int{old}, rest))
	sched.add(false, "partition: isolate leader %d", old)
	successor := waitNewLeader(t, c, old)
	w2 := worker{id: 1, c: c.client(t, successor-1), rng: rand.New(rand.NewPCG(1, 2)), now: sched.now}
	v2 := w2.unique(&seq)
	reg.write(w2, 0, v2)
	if reg.t.ok != 2 {
		t.Fatalf("the writes did not both succeed: %v", reg.t.errorTexts())
	}
	if verdict, v := reg.check(time.Minute); len(v) > 0 {
		t.Fatalf("the history without the planted read: %s %v", verdict, v)
	}

	// The planted bug: a local read of the cut-off old leader, recorded
	// as if it were linearizable.
	start := sched.now()
	got := localRead(t, c, old, "SELECT v FROM r WHERE k = 0")
	if got != v1 {
		t.Fatalf("the cut-off old leader %d read %s, want its stale %s (is the partition real?)", old, hexVal(got), hexVal(v1))
	}
	reg.add(2, regInput{op: regRead, key: 0, level: "local, recorded as linearizable"}, regOutput{val: got}, span{start, sched.now()}, false)
	verdict, violations := reg.check(time.Minute)
	if len(violations) == 0 {
		t.Fatalf("porcupine accepted a stale read after a completed write: %s", verdict)
	}
	t.Setenv("RESQLITE_FAULT_OUT", t.TempDir())
	dir := writeArtifacts(t, runSpec{"planted", 3}, 1, 1, c, []workload{reg}, violations)
	for _, f := range []string{"registers.html", "seed.txt", "schedule.txt", "violations.txt", "node-1.log", "node-3.log"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("artifact %s missing or empty: %v", f, err)
		}
	}
	sch, _ := os.ReadFile(filepath.Join(dir, "schedule.txt"))
	if !strings.Contains(string(sch), "isolate leader") {
		t.Errorf("schedule.txt lacks the partition:\n%s", sch)
	}
}

// waitApplied waits until node id has applied index.
func waitApplied(t *testing.T, c *cluster, id int, index uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := c.status(ctx, id)
		cancel()
		if err == nil && st.GetAppliedIndex() >= index {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %d did not apply index %d within 10s (status %v, %v)", id, index, st, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitNewLeader waits for a leader other than old in a higher term.
func waitNewLeader(t *testing.T, c *cluster, old int) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if id := c.leader(); id != 0 && id != old {
			return id
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no leader other than %d within 20s: the partition does not cut it off", old)
	return 0
}

// localRead reads one integer at local level from node id alone (no
// session index, no fail-over).
func localRead(t *testing.T, c *cluster, id int, sql string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stream, err := resqlitepb.NewReSqliteClient(c.admin[id-1]).Query(ctx, &resqlitepb.QueryRequest{Sql: []byte(sql), Consistency: client.Local})
	if err != nil {
		t.Fatalf("local read at node %d: %v", id, err)
	}
	var rows [][]sqlval.Value
	for {
		chunk, err := stream.Recv()
		if err != nil {
			break
		}
		rows = append(rows, wire.RowsFromProto(chunk.GetRows())...)
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("local read at node %d: %d rows", id, len(rows))
	}
	return rows[0][0].Int
}
