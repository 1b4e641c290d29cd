package node_test

import (
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// Nodes run with leases by default: a healthy leader reports a valid
// lease, and lease and linearizable reads are served at leader and
// followers. With -leases=false no node ever holds a lease, and lease
// reads are still served (as linearizable reads).
func TestLeasesOnByDefaultAndFlagTurnsThemOff(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra []string
		lease bool
	}{
		{"default", nil, true},
		{"-leases=false", []string{"-leases=false"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startCluster(t, 3, tc.extra...)
			ctx := ctxT(t, time.Minute)
			lead := c.waitLeader(10 * time.Second)
			cl := c.client(lead)
			mustExec(t, ctx, cl, "CREATE TABLE t (a)")
			mustExec(t, ctx, cl, "INSERT INTO t VALUES (1)")
			// Poll for two election timeouts (16 ticks of 50 ms each) of
			// a quiet cluster: a leader with leases holds one by then;
			// with leases off, this is the window in which none may
			// appear.
			held := false
			for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && !held; time.Sleep(50 * time.Millisecond) {
				st, err := cl.Status(ctx)
				if err != nil {
					t.Fatal(err)
				}
				held = st.GetLeaseValid()
			}
			if held != tc.lease {
				t.Fatalf("leader %d holds a lease: %v, want %v", lead, held, tc.lease)
			}
			for _, id := range append([]int{lead}, c.followers(lead)...) {
				for _, level := range []client.Consistency{client.Lease, client.Linearizable} {
					if n := count(t, ctx, c.client(id), level, "t"); n != 1 {
						t.Fatalf("%v read at node %d: %d rows, want 1", level, id, n)
					}
				}
			}
		})
	}
}
