package faults

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	runChildIfRequested()
	os.Exit(m.Run())
}
