package node

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

	"github.com/resqlite/resqlite/raft"
)

// ClusterID derives a cluster's id from its bootstrap member list: the same
// list, in any order, gives the same id on every node, so separately
// started nodes agree without talking to each other. It is never zero.
func ClusterID(bootstrap []raft.Member) uint64 {
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
	ClusterID string        `json:"cluster_id"`
	Bootstrap []raft.Member `json:"bootstrap,omitempty"`
}

// ErrClusterMismatch is returned by ResolveClusterID when the cluster a
// node is started for is not the one its data belongs to.
var ErrClusterMismatch = errors.New("cluster: data directory belongs to another cluster")

// ResolveClusterID returns the id of the cluster whose data lives in dir,
// and records it there on first use. A new node's id is ClusterID of
// bootstrap (a founding member) or joinID (a node joining an existing
// cluster, which learns the id from the member it asks). For existing
// data the stored id wins: a bootstrap list or joinID that gives another
// id is reported as ErrClusterMismatch, naming both member lists; starting
// with neither is always accepted.
func ResolveClusterID(dir string, bootstrap []raft.Member, joinID uint64) (uint64, error) {
	rec, found, err := readClusterRecord(dir)
	if err != nil {
		return 0, err
	}
	if found {
		stored, err := strconv.ParseUint(rec.ClusterID, 16, 64)
		if err != nil || stored == 0 {
			return 0, fmt.Errorf("cluster: read %s: bad cluster id %q", filepath.Join(dir, clusterFile), rec.ClusterID)
		}
		if len(bootstrap) > 0 && ClusterID(bootstrap) != stored {
			return 0, fmt.Errorf("%w: %s was created for cluster %016x with members %s; the given members %s make cluster %016x (the stored configuration wins: start with the original list or none)",
				ErrClusterMismatch, dir, stored, formatMembers(rec.Bootstrap), formatMembers(bootstrap), ClusterID(bootstrap))
		}
		if joinID != 0 && joinID != stored {
			return 0, fmt.Errorf("%w: %s belongs to cluster %016x, not %016x", ErrClusterMismatch, dir, stored, joinID)
		}
		return stored, nil
	}
	id := joinID
	if len(bootstrap) > 0 {
		id = ClusterID(bootstrap)
		if joinID != 0 && joinID != id {
			return 0, fmt.Errorf("%w: bootstrap members %s make cluster %016x, not %016x", ErrClusterMismatch, formatMembers(bootstrap), id, joinID)
		}
	}
	if id == 0 {
		return 0, fmt.Errorf("cluster: new data directory %s needs a bootstrap member list or the id of the cluster to join", dir)
	}
	b, err := json.Marshal(clusterRecord{ClusterID: fmt.Sprintf("%016x", id), Bootstrap: bootstrap})
	if err != nil {
		return 0, fmt.Errorf("cluster: encode cluster id: %w", err)
	}
	if err := writeFileDurably(filepath.Join(dir, clusterFile), b); err != nil {
		return 0, fmt.Errorf("cluster: record cluster id: %w", err)
	}
	return id, nil
}

// formatMembers renders members as id=addr,... sorted by id.
func formatMembers(ms []raft.Member) string {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b raft.Member) int { return cmp.Compare(a.ID, b.ID) })
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%d=%s", m.ID, m.Addr)
	}
	return strings.Join(parts, ",")
}

// StoredBootstrap returns the bootstrap member list that ResolveClusterID
// recorded in dir: nil for a new directory or a node that joined an
// existing cluster. A founding member restarted without its member list
// passes this as raft.NodeConfig.Bootstrap, since the core keeps the
// bootstrap configuration only in memory until its first snapshot.
func StoredBootstrap(dir string) ([]raft.Member, error) {
	rec, _, err := readClusterRecord(dir)
	if err != nil {
		return nil, err
	}
	return rec.Bootstrap, nil
}

// readClusterRecord reads clusterFile in dir; found is false when there is
// none (a new data directory).
func readClusterRecord(dir string) (rec clusterRecord, found bool, err error) {
	path := filepath.Join(dir, clusterFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return clusterRecord{}, false, nil
	}
	if err != nil {
		return clusterRecord{}, false, fmt.Errorf("cluster: read cluster id: %w", err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return clusterRecord{}, false, fmt.Errorf("cluster: read %s: %w", path, err)
	}
	return rec, true, nil
}
