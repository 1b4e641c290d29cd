package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// procRun is what one timed child process did.
type procRun struct {
	elapsed time.Duration
	peakKB  int64  // the child's peak RSS
	digest  string // sha256 of its stdout, "" when it went to /dev/null
}

// writeSQL writes stmts, one a line, after the prefix lines, to path.
func writeSQL(path string, prefix, stmts []string) error {
	var b strings.Builder
	for _, s := range prefix {
		b.WriteString(s + "\n")
	}
	for _, s := range stmts {
		b.WriteString(s + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// runProc runs name with args, stdin from the file in, and times it from
// start to exit. Its stdout goes to /dev/null when discard is set, else
// into a digest. Anything on stderr, or a non-zero exit, is an error.
func runProc(ctx context.Context, in string, discard bool, name string, args ...string) (procRun, error) {
	stdin, err := os.Open(in)
	if err != nil {
		return procRun{}, fmt.Errorf("run %s: %w", name, err)
	}
	defer stdin.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	h := sha256.New()
	if discard {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return procRun{}, fmt.Errorf("run %s: %w", name, err)
		}
		defer null.Close()
		cmd.Stdout = null
	} else {
		cmd.Stdout = h
	}
	self := os.Getpid()
	if err := resetPeakRSS(self); err != nil {
		return procRun{}, err
	}
	base, err := peakRSS(self)
	if err != nil {
		return procRun{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return procRun{}, fmt.Errorf("run %s: %w", name, err)
	}
	watch := watchPeak(cmd.Process.Pid, filepath.Base(name), 5*time.Millisecond)
	err = cmd.Wait()
	r := procRun{elapsed: time.Since(start)}
	r.peakKB = childPeak(watch.stop(), childPeakRSS(cmd), base)
	if !discard {
		r.digest = hex.EncodeToString(h.Sum(nil))[:16]
	}
	if err != nil || stderr.Len() > 0 {
		return r, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, firstLine(stderr.String()))
	}
	return r, nil
}

// firstLine returns s's first line, for error messages.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// discardRun runs a child for its effect (setup, cleanup), untimed.
func discardRun(ctx context.Context, in string, name string, args ...string) error {
	_, err := runProc(ctx, in, true, name, args...)
	return err
}
