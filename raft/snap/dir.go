package snap

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/resqlite/resqlite/raft"
)

// Name returns the file name of the snapshot of the given term and index.
func Name(term, index uint64) string {
	return fmt.Sprintf("%016x-%016x.snap", term, index)
}

// parseName returns the term and index a snapshot file name carries.
func parseName(name string) (term, index uint64, ok bool) {
	if len(name) != 38 || !strings.HasSuffix(name, ".snap") || name[16] != '-' {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(name, "%016x-%016x.snap", &term, &index); err != nil {
		return 0, 0, false
	}
	return term, index, true
}

// Path returns where the snapshot described by meta lives in dir.
func Path(dir string, meta raft.SnapshotMeta) string {
	return filepath.Join(dir, Name(meta.Term, meta.Index))
}

// Prune removes every snapshot file in dir except the one described by
// keep, and every temp file a crashed or aborted Writer left, then fsyncs
// dir. Call it only once keep is durable and recorded in the log.
func Prune(dir string, keep raft.SnapshotMeta) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("snap: list %s: %w", dir, err)
	}
	keepName := Name(keep.Term, keep.Index)
	removed := false
	for _, e := range ents {
		name := e.Name()
		_, _, isSnap := parseName(name)
		isTemp := strings.HasPrefix(name, ".snap-") && strings.HasSuffix(name, ".tmp")
		if (!isSnap && !isTemp) || (isSnap && name == keepName && !keep.IsEmpty()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("snap: remove %s: %w", name, err)
		}
		removed = true
	}
	if removed {
		return SyncDir(dir)
	}
	return nil
}
