package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The smoke tests build resqlite and start real nodes: they run only with
// RESQLITE_BENCH_SMOKE=1 (a minute or two on two cores).
func smoke(t *testing.T) {
	t.Helper()
	if os.Getenv("RESQLITE_BENCH_SMOKE") != "1" {
		t.Skip("set RESQLITE_BENCH_SMOKE=1 to run the suite end to end")
	}
}

// TestSmokeQuick runs a reduced -quick suite end to end and checks that
// every workload ran on every system and that the outputs were written.
func TestSmokeQuick(t *testing.T) {
	smoke(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run([]string{"-quick", "-runs", "1", "-clients", "1,8", "-duration", "100ms", "-out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	batch, conc, sess := 0, 0, 0
	for _, r := range rep.Results {
		if r.Err != "" || len(r.Samples) != 1 {
			t.Errorf("%s ×%d on %s: %d samples, error %q", r.Workload, r.Clients, r.System, len(r.Samples), r.Err)
		}
		switch {
		case r.isSessionCost():
			sess++
		case r.Concurrent():
			conc++
		default:
			batch++
		}
	}
	if batch != 6*6 || conc != 3*2*4 || sess != 2*2*(1+2) {
		t.Errorf("%d batch, %d concurrent and %d session-cost results, want 36, 24 and 12", batch, conc, sess)
	}
	for _, f := range []string{"results.md", chartTime, chartThroughput, chartLatency} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".svg") {
			wellFormed(t, string(b))
		}
	}
	if !strings.Contains(stdout.String(), "resqlite 3 nodes @follower") {
		t.Errorf("table lacks the follower:\n%s", stdout.String())
	}
}

// TestSmokeCancelCleansUp cancels the suite while it runs and checks that
// it returns and leaves no process or file behind.
func TestSmokeCancelCleansUp(t *testing.T) {
	smoke(t)
	out, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cfg, err := parseConfig([]string{"-quick", "-out", out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	log := slog.New(slog.NewTextHandler(&signalWriter{ch: started}, nil))
	done := make(chan error, 1)
	go func() { _, err := runSuite(ctx, cfg, log); done <- err }()
	select {
	case <-started: // the first timed run finished: the clusters are up
	case err := <-done:
		t.Fatalf("suite ended before its first run: %v", err)
	case <-time.After(3 * time.Minute):
		t.Fatal("no run within 3 minutes")
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a cancelled suite returned no error")
		}
	case <-time.After(time.Minute):
		t.Fatal("the suite did not return within a minute of cancellation")
	}
	if left := processesUsing(t, tmp); len(left) > 0 {
		t.Errorf("processes left running with %s in their command line: %v", tmp, left)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		t.Errorf("files left in %s: %v", tmp, ents)
	}
}

// signalWriter closes ch at the first log line of a timed run.
type signalWriter struct {
	ch     chan struct{}
	closed bool
}

func (w *signalWriter) Write(p []byte) (int, error) {
	if !w.closed && bytes.Contains(p, []byte("msg=run ")) {
		w.closed = true
		close(w.ch)
	}
	return len(p), nil
}

// processesUsing returns the pids whose command line mentions dir.
func processesUsing(t *testing.T, dir string) []string {
	t.Helper()
	cmdlines, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range cmdlines {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte(dir)) {
			out = append(out, strings.Split(f, "/")[2])
		}
	}
	return out
}
