package sqldriver_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the clusters, the sql.DBs and their clients leave
// no goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
