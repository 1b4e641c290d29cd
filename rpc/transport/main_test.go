package transport_test

import (
	"testing"

	"github.com/resqlite/resqlite/rpc/rpctest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// A child process started by rpctest.ProcCluster runs its node here
	// and exits.
	rpctest.RunChildIfRequested()
	goleak.VerifyTestMain(m)
}
