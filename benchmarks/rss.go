package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
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
