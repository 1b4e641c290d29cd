package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// resetPeakRSS resets the peak resident set size (VmHWM) of process pid
// to its current RSS (Linux: "5" to /proc/PID/clear_refs), so a later
// peakRSS measures one workload.
func resetPeakRSS(pid int) error {
	path := fmt.Sprintf("/proc/%d/clear_refs", pid)
	if err := os.WriteFile(path, []byte("5"), 0); err != nil {
		return fmt.Errorf("reset peak RSS of %d: %w", pid, err)
	}
	return nil
}

// rssRun measures the peak RSS of processes over one run, and its growth
// over their RSS when the run started (a node that served a large result
// earlier may keep that memory: its peak alone says little).
type rssRun struct {
	pids []int
	base []int64
}

// startRSS resets the peak RSS of pids and notes their RSS now.
func startRSS(pids []int) (*rssRun, error) {
	r := &rssRun{pids: pids}
	for _, pid := range pids {
		if err := resetPeakRSS(pid); err != nil {
			return nil, err
		}
		kb, err := peakRSS(pid) // just reset: the RSS now
		if err != nil {
			return nil, err
		}
		r.base = append(r.base, kb)
	}
	return r, nil
}

// peaks returns each process's peak RSS since startRSS and its growth.
func (r *rssRun) peaks() (peak, growth []int64, err error) {
	for i, pid := range r.pids {
		kb, err := peakRSS(pid)
		if err != nil {
			return nil, nil, err
		}
		peak = append(peak, kb)
		growth = append(growth, max(kb-r.base[i], 0))
	}
	return peak, growth, nil
}

// peakRSS returns process pid's peak resident set size in KiB, from
// VmHWM in /proc/PID/status.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("peak RSS of %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("peak RSS of %d: %w", pid, err)
		}
		return kb, nil
	}
	return 0, fmt.Errorf("peak RSS of %d: no VmHWM in /proc/%d/status", pid, pid)
}

// childPeakRSS returns the peak RSS in KiB of a child that exited (its
// rusage from wait4, as getrusage(RUSAGE_CHILDREN) reports it).
func childPeakRSS(cmd *exec.Cmd) int64 {
	if cmd.ProcessState == nil {
		return 0
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss // KiB on Linux
	}
	return 0
}

// procStatus returns the Name and VmHWM (KiB) lines of /proc/PID/status.
func procStatus(pid int) (name string, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", 0, err
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "Name:"); ok {
			name = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			hwm, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return name, hwm, nil
}

// peakWatch follows the peak RSS of a running child by polling its
// VmHWM. It exists because the child's own rusage is not enough: Go
// starts children with vfork, and Linux carries the parent's peak RSS
// into the child's ru_maxrss at exec, so a child smaller than this program
// reports this program's size.
type peakWatch struct {
	stopc chan struct{}
	peak  chan int64
}

// watchPeak polls pid every interval, counting only readings taken after
// the child ran exec (its Name is comm, the first 15 bytes of the
// program's base name).
func watchPeak(pid int, comm string, interval time.Duration) *peakWatch {
	w := &peakWatch{stopc: make(chan struct{}), peak: make(chan int64, 1)}
	if len(comm) > 15 {
		comm = comm[:15]
	}
	go func() {
		var peak int64
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if name, hwm, err := procStatus(pid); err == nil && name == comm {
				peak = max(peak, hwm)
			}
			select {
			case <-w.stopc:
				w.peak <- peak
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// stop ends the polling and returns the highest VmHWM seen.
func (w *peakWatch) stop() int64 {
	close(w.stopc)
	return <-w.peak
}

// childPeak combines what watchPeak saw with the child's rusage: the
// rusage figure is the child's own when it exceeds base, this program's
// peak RSS when the child started.
func childPeak(polled, rusage, base int64) int64 {
	if rusage > base {
		return max(polled, rusage)
	}
	return polled
}
