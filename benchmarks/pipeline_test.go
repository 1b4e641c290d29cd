package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// acceptanceSizes are the suite's workloads made small enough for a test.
func acceptanceSizes() Sizes {
	return Sizes{
		N: 300, HeavyWrites: 100, HeavyReads: 20, LightWrites: 20, LightReads: 100,
		Rounds: 3, Pairs: 40, Large: []int{20_000},
	}
}

// TestPipelinedEqualsSequential is the suite's acceptance test of
// pipelining: for each of its batch workloads (wOnly, rOnly, wHeavy,
// rHeavy, alternate and a large read, at small sizes), the body run as a
// batch (pipelined, the default) through a follower of one 3-node cluster
// prints the same stdout as the body run one statement at a time (.bail on
// turns pipelining off) through the leader of another, and the two
// clusters' databases then have the same digest. Not timed.
func TestPipelinedEqualsSequential(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two 3-node clusters (about 30 s on two cores); skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bin, err := build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	piped, err := startCluster(ctx, log, "pipelined", bin, t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(piped.stop)
	seq, err := startCluster(ctx, log, "sequential", bin, t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(seq.stop)
	pl, err := piped.leader(ctx, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	pAddr := piped.follower(pl).addr
	sl, err := seq.leader(ctx, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sAddr := sl.addr
	for _, w := range BatchWorkloads(1, 1, acceptanceSizes()) {
		t.Run(w.Name, func(t *testing.T) {
			setup := strings.Join(w.Setup, "\n") + "\n"
			batchOK(t, ctx, bin, pAddr, setup)
			batchOK(t, ctx, bin, sAddr, setup)
			body := strings.Join(w.Body, "\n") + "\n"
			p := batchOK(t, ctx, bin, pAddr, body)
			s := batchOK(t, ctx, bin, sAddr, ".bail on\n"+body)
			if p != s {
				t.Errorf("stdout differs (%d and %d bytes): first difference %s", len(p), len(s), firstDiff(p, s))
			}
			if strings.Count(p, "\n") < w.Statements-countWrites(w) {
				t.Errorf("stdout has %d lines for %d reads", strings.Count(p, "\n"), w.Statements-countWrites(w))
			}
			if dp, ds := nodeDigest(t, ctx, pAddr), nodeDigest(t, ctx, sAddr); dp != ds {
				t.Errorf("digest differs: pipelined %s, sequential %s", dp, ds)
			}
		})
	}
}

// batchOK runs script through the node at addr as a batch in list mode
// and returns its stdout; a non-zero exit or anything on stderr fails t.
func batchOK(t *testing.T, ctx context.Context, bin, addr, script string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "-connect", addr, "-mode", "list")
	cmd.Stdin = strings.NewReader(script)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("batch through %s: %v: %s", addr, err, firstLine(errb.String()))
	}
	return out.String()
}

// countWrites counts the statements of w's body that are not SELECTs.
func countWrites(w Workload) int {
	n := 0
	for _, q := range w.Body {
		if !strings.HasPrefix(q, "SELECT") {
			n++
		}
	}
	return n
}

// firstDiff describes where a and b first differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("at line %d: pipelined %q, sequential %q", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("one is a prefix of the other: %d and %d lines", len(la), len(lb))
}

// nodeDigest returns the digest of the database of the node at addr once
// it applied every write committed before a linearizable read.
func nodeDigest(t *testing.T, ctx context.Context, addr string) string {
	t.Helper()
	c, err := client.Dial(ctx, addr, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Query(ctx, client.Linearizable, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	d, err := c.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return d.GetSha256()
}
