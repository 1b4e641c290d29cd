package node_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// A node's data directory is its user's alone: directories 0700, files
// 0600, after writes and a snapshot.
func TestDataDirectoryIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	n := startInProcess(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := client.Dial(ctx, n.Addr(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	mustExec(t, ctx, cl, "CREATE TABLE t (a)", "INSERT INTO t VALUES (1)")
	if _, err := cl.TakeSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() && info.Mode().Perm() != 0o700 || d.Type().IsRegular() && info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %04o", path, info.Mode().Perm())
		}
		if d.Type().IsRegular() {
			files++
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("walk: %d files, %v", files, err)
	}
}
