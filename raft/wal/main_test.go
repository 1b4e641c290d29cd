package wal

import (
	"os"
	"testing"
)

// TestMain lets the test binary double as the child process that
// TestKillDuringAppends SIGKILLs: with killChildEnv set it runs the
// append loop instead of the tests.
func TestMain(m *testing.M) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		os.Exit(runKillChild(dir))
	}
	os.Exit(m.Run())
}
