package node_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
)

// Oversize statements and entries are refused with INVALID_ARGUMENT and
// nothing is written; a result larger than gRPC's message limit arrives
// whole, in chunks.
func TestLimits(t *testing.T) {
	c := startCluster(t, 1)
	ctx := ctxT(t, 2*time.Minute)
	cl := c.client(1)
	mustExec(t, ctx, cl, "CREATE TABLE t (a INTEGER PRIMARY KEY, b BLOB)")
	big := "INSERT INTO t (b) VALUES ('" + strings.Repeat("x", 1<<20) + "')"
	if _, err := cl.Exec(ctx, big); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "largest accepted") {
		t.Fatalf("1 MiB statement: %v", err)
	}
	part := "INSERT INTO t (b) VALUES ('" + strings.Repeat("x", 900<<10) + "')"
	if _, err := cl.Exec(ctx, part, part, part, part, part); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("4.5 MiB entry: %v", err)
	}
	if _, err := cl.Query(ctx, client.Local, "SELECT '"+strings.Repeat("y", 1<<20)+"'"); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("1 MiB query: %v", err)
	}
	if n := count(t, ctx, cl, client.Linearizable, "t"); n != 0 {
		t.Fatalf("refused writes wrote %d rows", n)
	}
	if testing.Short() {
		return
	}
	// 72 MiB of rows: more than one gRPC message may hold.
	mustExec(t, ctx, cl, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 18000) INSERT INTO t SELECT x, zeroblob(4096) FROM c")
	rows, err := cl.Query(ctx, client.Linearizable, "SELECT a, b FROM t ORDER BY a")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Rows) != 18000 || len(rows.Rows[17999][1].Blob) != 4096 || rows.Rows[17999][0].Int != 18000 {
		t.Fatalf("large result: %d rows", len(rows.Rows))
	}
}

// Server reflection lists the ReSqlite, Raft and health services, and the
// health service reports the node serving.
func TestReflectionAndHealth(t *testing.T) {
	c := startCluster(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := grpc.NewClient(c.proc(1).addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"resqlite.v1.ReSqlite", "resqlite.raft.v1.Raft", "grpc.health.v1.Health"} {
		if !slices.Contains(names, want) {
			t.Fatalf("reflection lists %v, missing %s", names, want)
		}
	}
	for _, svc := range []string{"", "resqlite.v1.ReSqlite"} {
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health of %q: %v %v", svc, resp, err)
		}
	}
}
