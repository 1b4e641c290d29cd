package repl

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Backuper is the optional part of a Client that takes backups:
// repl/remote.Client implements it.
type Backuper interface {
	// Backup writes the user's database as a plain SQLite file, taken at
	// one applied index (ReSqlite's internal tables stripped), to w and
	// returns that index. progress, if not nil, is told the bytes
	// received and the file's size after each piece.
	Backup(ctx context.Context, w io.Writer, progress func(done, total int64)) (uint64, error)
}

// backupCommands are .backup and its alias .save, as in sqlite3.
func backupCommands() []dotCommand {
	help := "Write the cluster's database to FILE as a plain SQLite file"
	return []dotCommand{
		{name: "backup", usage: ".backup ?DB? FILE", help: help, run: backupCommand(".backup ?DB? FILE")},
		{name: "save", usage: ".save ?DB? FILE", help: help + " (same as .backup)", run: backupCommand(".save ?DB? FILE")},
	}
}

func backupCommand(usage string) func(s *Shell, ctx context.Context, args []string) (bool, bool) {
	return func(s *Shell, ctx context.Context, args []string) (bool, bool) {
		switch {
		case len(args) == 2 && args[0] != "main":
			return s.errorf("unknown database %s", args[0])
		case len(args) == 2:
			args = args[1:]
		case len(args) != 1:
			return s.usageError(usage)
		}
		b, ok := s.client.(Backuper)
		if !ok {
			return s.errorf("this client cannot take backups")
		}
		defer s.progress.clear()
		_, err := BackupToFile(ctx, b, args[0], func(done, total int64) {
			s.progress.show(BackupProgress(args[0], done, total))
		})
		if err != nil {
			return s.errorf("%v", err)
		}
		return false, false
	}
}

// BackupProgress is the progress line of a backup into file.
func BackupProgress(file string, done, total int64) string {
	pct := 100.0
	if total > 0 {
		pct = float64(done) * 100 / float64(total)
	}
	return fmt.Sprintf("%s: %.1f of %.1f MiB (%.0f%%)", file, float64(done)/(1<<20), float64(total)/(1<<20), pct)
}

// BackupToFile takes a backup with b into path. The file is written under
// a temporary name in the same directory, synced, then renamed over path,
// so path is never left half-written. It returns the applied index.
func BackupToFile(ctx context.Context, b Backuper, path string, progress func(done, total int64)) (uint64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	index, err := b.Backup(ctx, tmp, progress)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	return index, nil
}
