package node

import (
	"io/fs"
	"os"
	"path/filepath"
)

// restrictPermissions makes the data directory's directories 0700 and
// its files 0600 (those of an older version included, and the SQLite
// files, which SQLite creates 0644): the data is for this node's user
// alone. SQLite gives a database's later journal and WAL files the mode
// of the database file.
func restrictPermissions(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode().Perm()&^want == 0 {
			return nil
		}
		return os.Chmod(path, info.Mode().Perm()&want)
	})
}
