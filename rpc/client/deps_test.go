package client

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// serverSide are the packages a client binary must not link: the SQLite
// driver, the state machine (but for its leaf package of shared types,
// statemachine/sqlval, and the packages under it, such as the packed row
// form sqlval/rowpack), the raft core, the client service, the Raft
// transport and the node assembly.
var serverSide = []string{
	"modernc.org",
	"github.com/resqlite/resqlite/statemachine",
	"github.com/resqlite/resqlite/raft",
	"github.com/resqlite/resqlite/rpc/service",
	"github.com/resqlite/resqlite/rpc/transport",
	"github.com/resqlite/resqlite/rpc/node",
}

// leafTypes is the package of types both ends share; it imports nothing
// of the project (the packages under it import only it).
const leafTypes = "github.com/resqlite/resqlite/statemachine/sqlval"

// forbiddenDeps returns the dependencies of pkg (as `go list -deps`
// reports them) that are, or are inside, one of the serverSide packages.
func forbiddenDeps(t *testing.T, pkg string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	var bad []string
	for _, dep := range strings.Fields(string(out)) {
		if dep == leafTypes || strings.HasPrefix(dep, leafTypes+"/") {
			continue
		}
		for _, p := range serverSide {
			if dep == p || strings.HasPrefix(dep, p+"/") {
				bad = append(bad, dep)
			}
		}
	}
	return bad
}

// TestClientLinksNoServerCode: the Go client, its database/sql driver and
// the REPL's remote mode depend on the shared leaf types, the generated
// stubs and gRPC only, so a client binary links neither SQLite nor the
// raft core nor the service.
func TestClientLinksNoServerCode(t *testing.T) {
	for _, pkg := range []string{"github.com/resqlite/resqlite/rpc/client", "github.com/resqlite/resqlite/rpc/client/sqldriver", "github.com/resqlite/resqlite/repl/remote"} {
		if bad := forbiddenDeps(t, pkg); len(bad) > 0 {
			t.Errorf("%s depends on server-side packages: %s", pkg, strings.Join(bad, ", "))
		}
	}
}
