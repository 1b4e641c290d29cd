package raft

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// StoredBootstrap returns the bootstrap member list that ResolveClusterID
// recorded in dir: nil for a new directory or a node that joined an
// existing cluster. A founding member restarted without its member list
// passes this as NodeConfig.Bootstrap, since the core keeps the bootstrap
// configuration only in memory until its first snapshot.
func StoredBootstrap(dir string) ([]Member, error) {
	b, err := os.ReadFile(filepath.Join(dir, clusterFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("raft: read bootstrap members: %w", err)
	}
	var rec clusterRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("raft: read %s: %w", filepath.Join(dir, clusterFile), err)
	}
	return rec.Bootstrap, nil
}
