package node_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/node"
)

func TestClusterIDIsDeterministicAndOrderFree(t *testing.T) {
	a := []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2"}, {ID: 3, Addr: "127.0.0.1:3"}}
	b := []raft.Member{a[2], a[0], a[1]}
	if node.ClusterID(a) != node.ClusterID(b) {
		t.Fatal("member order changed the cluster id")
	}
	if node.ClusterID(a) == 0 {
		t.Fatal("zero cluster id")
	}
	c := []raft.Member{a[0], a[1], {ID: 3, Addr: "127.0.0.1:4"}}
	d := []raft.Member{a[0], a[1], {ID: 4, Addr: "127.0.0.1:3"}}
	if node.ClusterID(a) == node.ClusterID(c) || node.ClusterID(a) == node.ClusterID(d) || node.ClusterID(a) == node.ClusterID(a[:2]) {
		t.Fatal("different member lists share a cluster id")
	}
}

func TestResolveClusterID(t *testing.T) {
	dir := t.TempDir()
	boot := []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2"}}
	id, err := node.ResolveClusterID(dir, boot, 0)
	if err != nil || id != node.ClusterID(boot) {
		t.Fatalf("new: %x, %v", id, err)
	}
	if again, err := node.ResolveClusterID(dir, boot, 0); err != nil || again != id {
		t.Fatalf("restart with same list: %x, %v", again, err)
	}
	if again, err := node.ResolveClusterID(dir, nil, 0); err != nil || again != id {
		t.Fatalf("restart without list: %x, %v", again, err)
	}
	other := []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 3, Addr: "127.0.0.1:3"}}
	_, err = node.ResolveClusterID(dir, other, 0)
	if !errors.Is(err, node.ErrClusterMismatch) || !strings.Contains(err.Error(), "1=127.0.0.1:1,2=127.0.0.1:2") || !strings.Contains(err.Error(), "3=127.0.0.1:3") {
		t.Fatalf("disagreeing list: %v", err)
	}
	if _, err := node.ResolveClusterID(dir, nil, id+1); !errors.Is(err, node.ErrClusterMismatch) {
		t.Fatalf("other join id: %v", err)
	}
	join := t.TempDir()
	if got, err := node.ResolveClusterID(join, nil, 77); err != nil || got != 77 {
		t.Fatalf("join: %x, %v", got, err)
	}
	if _, err := node.ResolveClusterID(t.TempDir(), nil, 0); err == nil {
		t.Fatal("new directory without list or id accepted")
	}
}

func TestStoredBootstrap(t *testing.T) {
	dir := t.TempDir()
	if got, err := node.StoredBootstrap(dir); err != nil || got != nil {
		t.Fatalf("new directory: %v, %v", got, err)
	}
	boot := []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2"}}
	if _, err := node.ResolveClusterID(dir, boot, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := node.StoredBootstrap(dir); err != nil || !reflect.DeepEqual(got, boot) {
		t.Fatalf("founding member: %v, %v", got, err)
	}
	join := t.TempDir()
	if _, err := node.ResolveClusterID(join, nil, 77); err != nil {
		t.Fatal(err)
	}
	if got, err := node.StoredBootstrap(join); err != nil || got != nil {
		t.Fatalf("joined node: %v, %v", got, err)
	}
}
