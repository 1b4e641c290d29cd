package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// dirRollback remembers what existed of a data directory that holds no
// node's data before Start, so that a Start that fails removes what it
// created there: a corrected retry then starts from the same empty
// directory (rather than from a cluster record of the failed attempt).
type dirRollback struct {
	dir string
	// active is false when dir already held a node's data, or could not
	// be read: then nothing is ever removed.
	active bool
	// created is the topmost directory Start creates (dir or one of its
	// parents), "" when dir existed.
	created string
	// before are the names in dir before Start, when dir existed.
	before map[string]bool
}

// planRollback records the state of dir before Start touches it.
func planRollback(dir string) dirRollback {
	if HasData(dir) {
		return dirRollback{}
	}
	r := dirRollback{dir: dir, active: true}
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil:
		r.before = map[string]bool{}
		for _, e := range entries {
			r.before[e.Name()] = true
		}
	case errors.Is(err, fs.ErrNotExist):
		r.created = topMissing(dir)
	default:
		r.active = false
	}
	return r
}

// topMissing returns the topmost of dir and its parents that does not
// exist.
func topMissing(dir string) string {
	top := filepath.Clean(dir)
	for {
		parent := filepath.Dir(top)
		if parent == top {
			return top
		}
		if _, err := os.Stat(parent); err == nil {
			return top
		}
		top = parent
	}
}

// undo removes what Start created in (or as) the data directory.
func (r dirRollback) undo() error {
	if !r.active {
		return nil
	}
	if r.created != "" {
		if err := os.RemoveAll(r.created); err != nil {
			return fmt.Errorf("remove %s after the failed start: %w", r.created, err)
		}
		return nil
	}
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("clean %s after the failed start: %w", r.dir, err)
	}
	var errs []error
	for _, e := range entries {
		if !r.before[e.Name()] {
			errs = append(errs, os.RemoveAll(filepath.Join(r.dir, e.Name())))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean %s after the failed start: %w", r.dir, err)
	}
	return nil
}
