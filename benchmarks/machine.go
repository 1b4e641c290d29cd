package main

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes the host the suite runs on.
func machine(ctx context.Context, sqlite3 string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += " " + strings.TrimSpace(string(b))
	}
	m.LoadAvg = loadAvg()
	if out, err := exec.CommandContext(ctx, sqlite3, "--version").Output(); err == nil {
		m.SQLite3 = strings.Fields(string(out))[0]
	}
	m.Hostname, _ = os.Hostname()
	return m
}

// loadAvg returns the 1, 5 and 15 minute load averages ("" if unknown).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
