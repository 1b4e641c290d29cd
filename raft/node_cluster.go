package raft

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ClusterID derives a cluster's id from its bootstrap member list: the same
// list, in any order, gives the same id on every node, so separately
// started nodes agree without talking to each other. It is never zero.
func ClusterID(bootstrap []Member) uint64 {
	lines := make([]string, len(bootstrap))
	for i, m := range bootstrap {
		lines[i] = fmt.Sprintf("%d=%s", m.ID, m.Addr)
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	id := binary.BigEndian.Uint64(h.Sum(nil))
	if id == 0 {
		id = 1
	}
	return id
}

// clusterFile is the name of the file, in a node's data directory, that
// records which cluster the data belongs to.
const clusterFile = "cluster.json"

// clusterRecord is the content of clusterFile.
type clusterRecord struct {
	ClusterID string   `json:"cluster_id"`
	Bootstrap []Member `json:"bootstrap,omitempty"`
}

// ErrClusterMismatch is returned by ResolveClusterID when the cluster a
// node is started for is not the one its data belongs to.
var ErrClusterMismatch = errors.New("raft: data directory belongs to another cluster")

// ResolveClusterID returns the id of the cluster whose data lives in dir,
// and records it there on first use. A new node's id is ClusterID of
// bootstrap (a founding member) or joinID (a node joining an existing
// cluster, which learns the id from the member it asks). For existing
// data the stored id wins: a bootstrap list or joinID that gives another
// id is reported as ErrClusterMismatch, naming both member lists; starting
// with neither is always accepted.
func ResolveClusterID(dir string, bootstrap []Member, joinID uint64) (uint64, error) {
	path := filepath.Join(dir, clusterFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		var rec clusterRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return 0, fmt.Errorf("raft: read %s: %w", path, err)
		}
		stored, err := strconv.ParseUint(rec.ClusterID, 16, 64)
		if err != nil || stored == 0 {
			return 0, fmt.Errorf("raft: read %s: bad cluster id %q", path, rec.ClusterID)
		}
		if len(bootstrap) > 0 && ClusterID(bootstrap) != stored {
			return 0, fmt.Errorf("%w: %s was created for cluster %016x with members %s; the given members %s make cluster %016x (the stored configuration wins: start with the original list or none)",
				ErrClusterMismatch, dir, stored, formatMembers(rec.Bootstrap), formatMembers(bootstrap), ClusterID(bootstrap))
		}
		if joinID != 0 && joinID != stored {
			return 0, fmt.Errorf("%w: %s belongs to cluster %016x, not %016x", ErrClusterMismatch, dir, stored, joinID)
		}
		return stored, nil
	case !errors.Is(err, fs.ErrNotExist):
		return 0, fmt.Errorf("raft: read cluster id: %w", err)
	}
	id := joinID
	if len(bootstrap) > 0 {
		id = ClusterID(bootstrap)
		if joinID != 0 && joinID != id {
			return 0, fmt.Errorf("%w: bootstrap members %s make cluster %016x, not %016x", ErrClusterMismatch, formatMembers(bootstrap), id, joinID)
		}
	}
	if id == 0 {
		return 0, fmt.Errorf("raft: new data directory %s needs a bootstrap member list or the id of the cluster to join", dir)
	}
	b, err = json.Marshal(clusterRecord{ClusterID: fmt.Sprintf("%016x", id), Bootstrap: bootstrap})
	if err != nil {
		return 0, fmt.Errorf("raft: encode cluster id: %w", err)
	}
	if err := writeFileDurably(path, b); err != nil {
		return 0, fmt.Errorf("raft: record cluster id: %w", err)
	}
	return id, nil
}

// formatMembers renders members as id=addr,... sorted by id.
func formatMembers(ms []Member) string {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b Member) int { return cmp.Compare(a.ID, b.ID) })
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%d=%s", m.ID, m.Addr)
	}
	return strings.Join(parts, ",")
}

// writeFileDurably writes b to path through a temp file, fsync and rename,
// then fsyncs the directory.
func writeFileDurably(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
