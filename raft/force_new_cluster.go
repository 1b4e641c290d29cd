package raft

import (
	"fmt"
	"slices"
)

// ForceNewCluster rewrites a stopped node's durable log so that it
// restarts as the only member of its cluster, keeping its data: the
// disaster recovery of a cluster that lost a majority of its members for
// good, as etcd's --force-new-cluster does. It is outside the Raft
// protocol (a majority no longer exists to agree to a change, paper §6):
// every entry of the log counts as committed, including any the lost
// majority never committed, and a configuration entry naming self as the
// only voter is appended and committed in a term one past the stored
// one. The change is durable, so later starts stay a one-node cluster,
// and new members join it as usual. The lost members must never run
// again with their old data.
//
// It returns the configuration the log held before the change (empty
// when the members come from the bootstrap list alone) and the index of
// the new configuration entry; when self already is the only voter it
// changes nothing and returns index 0.
func ForceNewCluster(store LogStore, self Member) (old Configuration, index uint64, err error) {
	hs, old, err := store.InitialState()
	if err != nil {
		return Configuration{}, 0, fmt.Errorf("raft: force new cluster: read state: %w", err)
	}
	want := Configuration{Members: []Member{{ID: self.ID, Addr: self.Addr}}}
	if slices.Equal(old.Members, want.Members) {
		return old, 0, nil
	}
	last, err := store.LastIndex()
	if err != nil {
		return Configuration{}, 0, fmt.Errorf("raft: force new cluster: last index: %w", err)
	}
	lastTerm, err := store.Term(last)
	if err != nil {
		return Configuration{}, 0, fmt.Errorf("raft: force new cluster: term of %d: %w", last, err)
	}
	term := max(hs.Term, lastTerm) + 1
	e := Entry{Index: last + 1, Term: term, Type: EntryConfig, Data: EncodeConfiguration(want)}
	if err := store.Save(HardState{Term: term, Vote: self.ID, Commit: e.Index}, []Entry{e}); err != nil {
		return Configuration{}, 0, fmt.Errorf("raft: force new cluster: save configuration entry %d: %w", e.Index, err)
	}
	return old, e.Index, nil
}
