package faults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// recoverTimeout bounds how long a healed node may take to answer and
// catch up, and the digests to settle.
const recoverTimeout = 30 * time.Second

// checkRun checks a finished run (recovery, final reads, each workload's
// checker, digests), returns its table rows, and on a violation writes
// the artifacts and fails the test.
func checkRun(t *testing.T, cfg suiteConfig, rs runSpec, seed uint64, c *cluster, wls []workload, from, to time.Duration) []row {
	var violations []string
	recovery, err := c.waitRecovered(recoverTimeout)
	if err != nil {
		violations = append(violations, err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), recoverTimeout)
	defer cancel()
	fc := c.client(t, 0)
	for _, wl := range wls {
		if err := wl.final(ctx, fc); err != nil {
			violations = append(violations, err.Error())
		}
	}
	digests, err := c.digestsEqual(ctx)
	if err != nil {
		violations = append(violations, err.Error())
	}
	kills := c.sched.leaderKills()
	var rows []row
	for _, wl := range wls {
		verdict, v := wl.check(cfg.checkTimeout)
		violations = append(violations, v...)
		rows = append(rows, newRow(rs, wl, verdict, from, to, kills, digests))
		t.Logf("%s: %s; errors:\n  %s", wl.name(), verdict, strings.Join(wl.tally().errorTexts(), "\n  "))
	}
	t.Logf("recovery: %s; nemesis schedule:\n%s", recovery, c.sched)
	if len(violations) > 0 || t.Failed() {
		dir := writeArtifacts(t, rs, seed, cfg.seed, c, wls, violations)
		t.Errorf("%d safety violations:\n  %s\nartifacts in %s\nreplay: RESQLITE_FAULT_SEED=%d go test ./rpc/faults -run 'TestFaults/%s$' -v",
			len(violations), strings.Join(violations, "\n  "), dir, cfg.seed, rs.name())
	}
	return rows
}

// waitRecovered waits until every node answers and has applied what the
// leader had committed when the wait began; it returns how long that
// took.
func (c *cluster) waitRecovered(timeout time.Duration) (string, error) {
	start := time.Now()
	deadline := start.Add(timeout)
	var target uint64
	var lagging []string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		sts := c.statuses(ctx)
		cancel()
		lagging = lagging[:0]
		for id := 1; id <= c.size; id++ {
			st := sts[id]
			switch {
			case st == nil:
				lagging = append(lagging, fmt.Sprintf("node %d does not answer", id))
			case target == 0 && st.GetRole() == "leader":
				target = st.GetCommitIndex()
			}
		}
		for id := 1; id <= c.size && target != 0; id++ {
			if st := sts[id]; st != nil && st.GetAppliedIndex() < target {
				lagging = append(lagging, fmt.Sprintf("node %d applied %d < %d", id, st.GetAppliedIndex(), target))
			}
		}
		if target != 0 && len(lagging) == 0 {
			return fmt.Sprintf("every node answered and applied index %d %v after healing", target, time.Since(start).Round(time.Millisecond)), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("recovery: not every node recovered within %v (leader's commit index %d): %s", timeout, target, strings.Join(lagging, "; "))
}

// digestsEqual waits until every node reports its digest at the same
// applied index and says whether those digests are equal; an error when
// they differ or never reach one index.
func (c *cluster) digestsEqual(ctx context.Context) (string, error) {
	var last []string
	for ctx.Err() == nil {
		last = last[:0]
		var index uint64
		same := true
		var sums []string
		for id := 1; id <= c.size; id++ {
			d, err := resqlitepb.NewReSqliteClient(c.admin[id-1]).Digest(ctx, &resqlitepb.DigestRequest{})
			if err != nil {
				same = false
				last = append(last, fmt.Sprintf("node %d: %v", id, err))
				continue
			}
			if id > 1 && d.GetAppliedIndex() != index {
				same = false
			}
			index = d.GetAppliedIndex()
			sums = append(sums, d.GetSha256())
			last = append(last, fmt.Sprintf("node %d: %s at %d", id, d.GetSha256()[:12], d.GetAppliedIndex()))
		}
		if same {
			for _, s := range sums[1:] {
				if s != sums[0] {
					return "DIFFER", fmt.Errorf("digests: nodes differ at applied index %d: %s", index, strings.Join(last, "; "))
				}
			}
			return fmt.Sprintf("equal at %d", index), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "never compared", fmt.Errorf("digests: the nodes never reported digests at one applied index within %v: %s", recoverTimeout, strings.Join(last, "; "))
}

// writeArtifacts writes what a failed run leaves for inspection into a
// directory that survives the test ($RESQLITE_FAULT_OUT, else a new
// temporary directory) and returns its path.
func writeArtifacts(t *testing.T, rs runSpec, seed, base uint64, c *cluster, wls []workload, violations []string) string {
	parent := os.Getenv("RESQLITE_FAULT_OUT")
	var err error
	if parent == "" {
		parent, err = os.MkdirTemp("", "resqlite-faults-")
	} else {
		err = os.MkdirAll(parent, 0o755)
	}
	if err != nil {
		t.Errorf("artifacts: %v", err)
		return ""
	}
	dir := filepath.Join(parent, fmt.Sprintf("%s-%s", rs.name(), time.Now().UTC().Format("20060102T150405")))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("artifacts: %v", err)
		return ""
	}
	files := map[string]string{
		"seed.txt": fmt.Sprintf("base seed %d, run seed %d\nreplay: RESQLITE_FAULT_SEED=%d go test ./rpc/faults -run 'TestFaults/%s$' -v\n",
			base, seed, base, rs.name()),
		"schedule.txt":   c.sched.String(),
		"violations.txt": strings.Join(violations, "\n") + "\n",
	}
	for id := 1; id <= c.size; id++ {
		b, _ := os.ReadFile(c.logPath(id))
		files[fmt.Sprintf("node-%d.log", id)] = string(b)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Errorf("artifacts: %v", err)
		}
	}
	for _, wl := range wls {
		if err := wl.artifacts(dir); err != nil {
			t.Errorf("artifacts: %v", err)
		}
	}
	return dir
}
