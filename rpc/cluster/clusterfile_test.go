package cluster_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/cluster"
)

func TestClusterIDIsDeterministicAndOrderFree(t *testing.T) {
	a := []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2"}, {ID: 3, Addr: "127.0.0.1:3"}}
	b := []raft.Member{a[2], a[0], a[1]}
	if cluster.ClusterID(a) != cluster.ClusterID(b) {
		t.Fatal("member order changed the cluster id")
	}
	if cluster.ClusterID(a) == 0 {
		t.Fatal("zero cluster id")
	}
	c := []raft.Member{a[0], a[1], {ID: 3, Addr: "127.0.0.1:4"}}
	d := []raft.Member{a[0], a[1], {ID: 4, Addr: "127.0.0.1:3"}}
	if cluster.ClusterID(a) == cluster.ClusterID(c) || cluster.ClusterID(a) == cluster.ClusterID(d) || cluster.ClusterID(a) == cluster.ClusterID(a[:2]) {
		t.Fatal("different member lists share a cluster id")
	}
}

func TestResolveClusterID(t *testing.T) {
	dir := t.TempDir()
	boot := []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2"}}
	id, err := cluster.ResolveClusterID(dir, boot, 0)
	if err != nil || id != cluster.ClusterID(boot) {
		t.Fatalf("new: %x, %v", id, err)
	}
	if again, err := cluster.ResolveClusterID(dir, boot, 0); err != nil || again != id {
		t.Fatalf("restart with same list: %x, %v", again, err)
	}
	if again, err := cluster.ResolveClusterID(dir, nil, 0); err != nil || again != id {
		t.Fatalf("restart without list: %x, %v", again, err)
	}
	other := []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 3, Addr: "127.0.0.1:3"}}
	_, err = cluster.ResolveClusterID(dir, other, 0)
	if !errors.Is(err, cluster.ErrClusterMismatch) || !strings.Contains(err.Error(), "1=127.0.0.1:1,2=127.0.0.1:2") || !strings.Contains(err.Error(), "3=127.0.0.1:3") {
		t.Fatalf("disagreeing list: %v", err)
	}
	if _, err := cluster.ResolveClusterID(dir, nil, id+1); !errors.Is(err, cluster.ErrClusterMismatch) {
		t.Fatalf("other join id: %v", err)
	}
	join := t.TempDir()
	if got, err := cluster.ResolveClusterID(join, nil, 77); err != nil || got != 77 {
		t.Fatalf("join: %x, %v", got, err)
	}
	if _, err := cluster.ResolveClusterID(t.TempDir(), nil, 0); err == nil {
		t.Fatal("new directory without list or id accepted")
	}
}

func TestStoredBootstrap(t *testing.T) {
	dir := t.TempDir()
	if got, err := cluster.StoredBootstrap(dir); err != nil || got != nil {
		t.Fatalf("new directory: %v, %v", got, err)
	}
	boot := []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2"}}
	if _, err := cluster.ResolveClusterID(dir, boot, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := cluster.StoredBootstrap(dir); err != nil || !reflect.DeepEqual(got, boot) {
		t.Fatalf("founding member: %v, %v", got, err)
	}
	join := t.TempDir()
	if _, err := cluster.ResolveClusterID(join, nil, 77); err != nil {
		t.Fatal(err)
	}
	if got, err := cluster.StoredBootstrap(join); err != nil || got != nil {
		t.Fatalf("joined node: %v, %v", got, err)
	}
}
