package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/service"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// bigRead is a read of n rows of about 120 bytes each, made by SQLite
// without any table.
func bigRead(n string) *resqlitepb.QueryRequest {
	return &resqlitepb.QueryRequest{
		Sql:         []byte("SELECT value, printf('%0100d', value) FROM generate_series(1, " + n + ")"),
		Consistency: local,
	}
}

// heapPeak samples the bytes of heap objects (live and not yet
// collected) until stop is closed, and returns the highest sample.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// heapNow is the bytes of heap objects after a collection.
func heapNow() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// Streaming a read of 1M rows (~120 MB on the wire) keeps the serving
// node's Go heap within 64 MiB of where it started: the rows are sent as
// SQLite steps them, never held whole. The client here discards each chunk
// as it arrives, so the heap measured (the test process's) is the node's.
// Both forms: packed rows and Row messages.
func TestQueryStreamsOneMillionRowsInBoundedHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1M rows")
	}
	c := startCluster(t, 1, clusterOptions{})
	for _, packed := range []bool{true, false} {
		t.Run(map[bool]string{true: "packed", false: "rows"}[packed], func(t *testing.T) {
			streamMillionRows(t, c.leader(), packed)
		})
	}
}

func streamMillionRows(t *testing.T, tn *tnode, packed bool) {
	ctx := ctxT(t, 5*time.Minute)
	base := heapNow()
	stop := make(chan struct{})
	peak := heapPeak(stop)
	req := bigRead("1000000")
	req.Packed = packed
	stream, err := tn.cl.Query(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var rows, chunks int
	var last int64
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || resp.GetError() != nil {
			t.Fatalf("after %d rows: %v %v", rows, err, resp.GetError())
		}
		got := rowsOf(t, resp)
		for _, r := range got {
			if v := r[0].Int; v != last+1 {
				t.Fatalf("row %d holds %d", last+1, v)
			}
			last++
		}
		rows += len(got)
		chunks++
	}
	close(stop)
	growth := int64(<-peak) - int64(base)
	t.Logf("1M rows in %d chunks; heap grew by at most %.1f MiB", chunks, float64(growth)/(1<<20))
	if rows != 1000000 {
		t.Fatalf("got %d rows", rows)
	}
	if growth >= 64<<20 {
		t.Fatalf("the serving node's heap grew by %.1f MiB while streaming 1M rows, want < 64 MiB", float64(growth)/(1<<20))
	}
}

// A client that stops reading a large result holds the node back through
// gRPC's flow control (the node produces no more rows than the windows
// and a few chunks hold, and its heap does not grow), and after the idle
// limit the node ends the read with a clear error, which the client gets
// after the rows that were on their way.
// Packed rows are held back alike.
func TestStalledQueryIsCancelledAfterIdleLimit(t *testing.T) {
	const idle = 2 * time.Second
	c := startCluster(t, 1, clusterOptions{streamIdle: idle})
	for _, packed := range []bool{false, true} {
		t.Run(map[bool]string{true: "packed", false: "rows"}[packed], func(t *testing.T) {
			stallQuery(t, c.leader(), idle, packed)
		})
	}
}

func stallQuery(t *testing.T, tn *tnode, idle time.Duration, packed bool) {
	ctx := ctxT(t, time.Minute)
	base := heapNow()
	stop := make(chan struct{})
	peak := heapPeak(stop)
	req := bigRead("1000000")
	req.Packed = packed
	stream, err := tn.cl.Query(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	// Stall until the node gives up on the read: its read transaction
	// ends, while the rows it sent before wait in the windows.
	stalled := time.Now()
	waitFor(t, 50*time.Second, "the stalled read ends on the node", func() bool { return tn.state.RunningReads() == 0 })
	if d := time.Since(stalled); d < idle/2 {
		t.Fatalf("the read ended %v after its client stalled, before the idle limit of %v", d, idle)
	}
	close(stop)
	growth := int64(<-peak) - int64(base)
	rows, err := drain(stream)
	if status.Code(err) != codes.Aborted || !strings.Contains(status.Convert(err).Message(), "idle limit") {
		t.Fatalf("stalled read ended with %v after %d more rows, want ABORTED for the idle limit", err, rows)
	}
	t.Logf("after a stall of %v: %d rows were on their way, heap grew by %.1f MiB", time.Since(stalled), rows, float64(growth)/(1<<20))
	if rows >= 500000 {
		t.Fatalf("the node sent %d rows to a client that did not read", rows)
	}
	if growth >= 64<<20 {
		t.Fatalf("the node's heap grew by %.1f MiB while its client stalled", float64(growth)/(1<<20))
	}
	// The node serves reads again.
	if _, _, err := query(ctx, tn, "SELECT 1", local, 0); err != nil {
		t.Fatal(err)
	}
}

// drain reads the rest of a stream and counts its rows.
func drain(stream resqlitepb.ReSqlite_QueryClient) (int, error) {
	rows := 0
	for {
		resp, err := stream.Recv()
		if err != nil {
			return rows, err
		}
		rows += rowCount(resp)
	}
}

// rowsOf decodes a chunk's rows, packed or not.
func rowsOf(t *testing.T, resp *resqlitepb.QueryResponse) [][]sqlval.Value {
	t.Helper()
	rows, err := wire.ResponseRows(resp)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// rowCount counts a chunk's rows, packed or not.
func rowCount(resp *resqlitepb.QueryResponse) int {
	if p := resp.GetPackedRows(); len(p) > 0 {
		d, err := rowpack.NewDecoder(p)
		if err != nil {
			return -1
		}
		return d.Rows()
	}
	return len(resp.GetRows())
}

// A node that restores a snapshot ends the reads it is streaming with a
// clear error instead of serving the replaced database.
func TestQueryCancelledBySnapshotRestore(t *testing.T) {
	c := startCluster(t, 1, clusterOptions{})
	ctx := ctxT(t, time.Minute)
	tn := c.leader()
	mustExec(ctx, t, tn, "CREATE TABLE t (a)")
	var snap bytes.Buffer
	if _, err := tn.state.Snapshot(&snap); err != nil {
		t.Fatal(err)
	}
	stream, err := tn.cl.Query(ctx, bigRead("1000000"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	var restored atomic.Bool
	go func() {
		// The state machine's own snapshot: the test only needs a Restore
		// to happen while the read is open.
		restored.Store(tn.state.Restore(bytes.NewReader(snap.Bytes())) == nil)
	}()
	rows, err := drain(stream)
	if status.Code(err) != codes.Aborted || !strings.Contains(status.Convert(err).Message(), "restored a snapshot") {
		t.Fatalf("read during a restore ended with %v after %d more rows, want ABORTED for the restore", err, rows)
	}
	waitFor(t, 10*time.Second, "restore done", restored.Load)
	if _, _, err := query(context.Background(), tn, "SELECT count(*) FROM t", local, 0); err != nil {
		t.Fatal(err)
	}
}

// A session whose client stops taking responses ends the streamed read it
// is sending after the idle limit, and the read behind it holds no read
// transaction meanwhile (a session steps one streamed read at a time); it
// runs once the client reads again.
func TestStalledSessionEndsItsStreamedRead(t *testing.T) {
	const idle = 2 * time.Second
	c := startCluster(t, 1, clusterOptions{streamIdle: idle})
	ctx := ctxT(t, time.Minute)
	tn := c.leader()
	stream, err := tn.cl.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 2; seq++ {
		req := read(seq, string(bigRead("100000").GetSql()), local)
		req.GetRead().Chunked = true
		if err := stream.Send(req); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	stalled := time.Now()
	done := tn.state.FinishedReads()
	waitFor(t, 50*time.Second, "the stalled session's read ends on the node", func() bool {
		return tn.state.FinishedReads() == done+1 && tn.state.RunningReads() == 0
	})
	if d := time.Since(stalled); d < idle {
		t.Fatalf("the read ended %v after the client stalled, before the idle limit of %v", d, idle)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	ended := map[uint64]string{}
	rows := map[uint64]int{}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if f := resp.GetFailure(); f != nil {
			ended[resp.GetSeq()] = codes.Code(f.GetCode()).String() + ": " + f.GetMessage()
		}
		if r := resp.GetRead(); r != nil {
			rows[resp.GetSeq()] += rowCount(r)
			if !r.GetMore() {
				ended[resp.GetSeq()] = "complete"
			}
		}
	}
	if !strings.HasPrefix(ended[1], "Aborted") || !strings.Contains(ended[1], "idle limit") {
		t.Errorf("read 1 ended with %q, want ABORTED for the idle limit", ended[1])
	}
	if ended[2] != "complete" || rows[2] != 100000 {
		t.Errorf("read 2 ended with %q after %d rows, want complete after 100000", ended[2], rows[2])
	}
}

// A read asked for packed rows gets them packed, one bytes field per
// chunk, in chunks cut by bytes (narrow rows many to a chunk); the same
// read without the ask (grpcurl, an older client) gets Row messages; the
// two carry the same rows.
func TestPackedAndRowMessagesCarryTheSameRows(t *testing.T) {
	c := startCluster(t, 1, clusterOptions{})
	ctx := ctxT(t, time.Minute)
	tn := c.leader()
	sql := "SELECT value, 'item-' || value, value * 0.5, CASE WHEN value % 7 = 0 THEN NULL ELSE x'00ff' END FROM generate_series(1, 100000)"
	collect := func(packed bool) (rows [][]sqlval.Value, sizes []int) {
		stream, err := tn.cl.Query(ctx, &resqlitepb.QueryRequest{Sql: []byte(sql), Consistency: local, Packed: packed})
		if err != nil {
			t.Fatal(err)
		}
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return rows, sizes
			}
			if err != nil {
				t.Fatal(err)
			}
			if packed && len(resp.GetRows()) > 0 || !packed && len(resp.GetPackedRows()) > 0 {
				t.Fatalf("packed %v: a chunk in the other form", packed)
			}
			rows = append(rows, rowsOf(t, resp)...)
			sizes = append(sizes, len(resp.GetPackedRows()))
		}
	}
	packed, sizes := collect(true)
	plain, _ := collect(false)
	if len(packed) != 100000 || len(plain) != 100000 {
		t.Fatalf("%d packed rows, %d as messages", len(packed), len(plain))
	}
	for i := range packed {
		for j := range packed[i] {
			if !packed[i][j].Equal(plain[i][j]) {
				t.Fatalf("row %d col %d: packed %v, as a message %v", i, j, packed[i][j], plain[i][j])
			}
		}
	}
	for i, n := range sizes[1 : len(sizes)-1] {
		if n < service.QueryChunkBytes || n > service.QueryChunkBytes+100 {
			t.Fatalf("chunk %d is %d bytes, want just over %d", i+1, n, service.QueryChunkBytes)
		}
	}
	sql = "SELECT NULL FROM generate_series(1, 100000)"
	if narrow, sizes := collect(true); len(narrow) != 100000 || len(sizes) > 3 {
		t.Errorf("100000 one-byte rows came in %d chunks (%d rows): cut by count, not by bytes", len(sizes), len(narrow))
	}
}
