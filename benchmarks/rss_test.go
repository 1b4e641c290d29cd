package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestChildPeak(t *testing.T) {
	cases := []struct{ polled, rusage, base, want int64 }{
		{polled: 4000, rusage: 60000, base: 60000, want: 4000},     // rusage is the parent's
		{polled: 90000, rusage: 100000, base: 60000, want: 100000}, // the child outgrew the parent
		{polled: 0, rusage: 50000, base: 60000, want: 0},           // exited before a poll
	}
	for _, c := range cases {
		if got := childPeak(c.polled, c.rusage, c.base); got != c.want {
			t.Errorf("childPeak(%d, %d, %d) = %d, want %d", c.polled, c.rusage, c.base, got, c.want)
		}
	}
}

func TestPeakRSSOfSelf(t *testing.T) {
	if err := resetPeakRSS(os.Getpid()); err != nil {
		t.Skip(err)
	}
	before, err := peakRSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 64<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	after, err := peakRSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 60<<10 {
		t.Errorf("peak RSS grew by %d KiB after touching 64 MiB", after-before)
	}
	b[1] = b[4096]
}

// watchPeak sees a child's own size, not this process's.
func TestWatchPeakSeesChild(t *testing.T) {
	cmd := exec.Command("sleep", "0.3")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	w := watchPeak(cmd.Process.Pid, "sleep", time.Millisecond)
	cmd.Wait()
	got := w.stop()
	self, err := peakRSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if got <= 0 || got >= self {
		t.Errorf("sleep's peak %d KiB; this process's %d KiB", got, self)
	}
}

func TestRSSRunGrowth(t *testing.T) {
	r, err := startRSS([]int{os.Getpid()})
	if err != nil {
		t.Skip(err)
	}
	b := make([]byte, 32<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	peak, growth, err := r.peaks()
	if err != nil {
		t.Fatal(err)
	}
	if growth[0] < 30<<10 || peak[0] < growth[0] {
		t.Errorf("after touching 32 MiB: peak %d KiB, growth %d KiB", peak[0], growth[0])
	}
	b[1] = b[4096]
}
