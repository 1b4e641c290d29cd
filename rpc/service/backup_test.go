package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// backupOf streams tn's backup into memory and returns the file and the
// applied index it was taken at.
func backupOf(ctx context.Context, t *testing.T, tn *tnode) ([]byte, uint64) {
	t.Helper()
	stream, err := tn.cl.Backup(ctx, &resqlitepb.BackupRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	var index uint64
	size := int64(-1)
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("backup at node %d: %v", tn.id, err)
		}
		if size < 0 {
			index, size = chunk.GetAppliedIndex(), chunk.GetSize()
		}
		buf.Write(chunk.GetData())
	}
	if int64(buf.Len()) != size || index == 0 {
		t.Fatalf("backup: %d bytes of %d, index %d", buf.Len(), size, index)
	}
	return buf.Bytes(), index
}

// restoreVia sends file as restore id through tn in chunks of chunk bytes;
// between (before sending offset at), it calls between once.
func restoreVia(ctx context.Context, t *testing.T, tn func() *tnode, id uint64, file []byte, chunk, at int, between func()) *resqlitepb.ExecuteResponse {
	t.Helper()
	for off := 0; off < len(file); off += chunk {
		if off == at && between != nil {
			between()
		}
		resp, err := tn().cl.Restore(ctx, &resqlitepb.RestoreRequest{RestoreId: id, Offset: uint64(off), Data: file[off:min(off+chunk, len(file))]})
		if err != nil || resp.GetError() != nil {
			t.Fatalf("chunk at %d: %v %v", off, err, resp.GetError())
		}
	}
	sum := sha256.Sum256(file)
	resp, err := tn().cl.Restore(ctx, &resqlitepb.RestoreRequest{RestoreId: id, Finish: true, Size: uint64(len(file)), Sha256: sum[:]})
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	return resp
}

// digests returns every node's digest once it applied index.
func digests(ctx context.Context, t *testing.T, c *tcluster, index uint64) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, tn := range c.nodes {
		d, err := tn.cl.Digest(ctx, &resqlitepb.DigestRequest{MinIndex: index})
		if err != nil {
			t.Fatal(err)
		}
		out[d.GetSha256()] = true
	}
	return out
}

// Issue 17: a follower's backup, restored through a follower into a
// cluster whose leader changes midway, gives every node the backed-up
// content: the chunks staged before the change stay staged (they are in
// the log and the database), the rest go to the new leader.
func TestBackupRestoreAcrossLeaderChange(t *testing.T) {
	c := startCluster(t, 3, clusterOptions{})
	ctx := ctxT(t, 60*time.Second)
	lead := c.leader()
	mustExec(ctx, t, lead, "CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB)",
		"WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 400) INSERT INTO t(b) SELECT zeroblob(200 + v) FROM n")
	last := mustExec(ctx, t, lead, "CREATE INDEX tb ON t(b)").GetIndex()
	fol := c.followers(lead)[0]
	waitFor(t, 10*time.Second, "follower applies", func() bool { return fol.state.AppliedIndex() >= last })
	file, index := backupOf(ctx, t, fol)
	want := digests(ctx, t, c, index)

	mustExec(ctx, t, lead, "DROP TABLE t", "CREATE TABLE other(x)")
	via := func() *tnode {
		l := c.leader()
		return c.followers(l)[0]
	}
	moved := false
	resp := restoreVia(ctx, t, via, 7, file, 16<<10, 96<<10, func() {
		moved = true
		l := c.leader()
		to := c.followers(l)[1]
		if _, err := l.cl.TransferLeadership(ctx, &resqlitepb.TransferLeadershipRequest{To: uint64(to.id)}); err != nil {
			t.Fatalf("transfer: %v", err)
		}
		waitFor(t, 10*time.Second, "new leader", func() bool { return c.leader() == to })
	})
	if resp.GetError() != nil || resp.GetIndex() == 0 || !moved {
		t.Fatalf("finish: %+v (leadership moved midway: %v, file of %d bytes)", resp, moved, len(file))
	}
	got := digests(ctx, t, c, resp.GetIndex())
	if len(got) != 1 || len(want) != 1 {
		t.Fatalf("digests: %v before, %v after", want, got)
	}
	for sum := range got {
		if !want[sum] {
			t.Fatalf("restored digest %s, backed-up %v", sum, want)
		}
	}
}

// A restore entry that is malformed is refused before it is proposed.
func TestRestoreRequestChecked(t *testing.T) {
	c := startCluster(t, 1, clusterOptions{})
	ctx := ctxT(t, 20*time.Second)
	lead := c.leader()
	for _, req := range []*resqlitepb.RestoreRequest{
		{Offset: 0, Data: []byte("x")},
		{RestoreId: 1},
		{RestoreId: 1, Finish: true, Sha256: []byte("short")},
	} {
		if _, err := lead.cl.Restore(ctx, req); err == nil {
			t.Fatalf("%v accepted", req)
		}
	}
}
