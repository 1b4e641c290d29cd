package raft

import (
	"errors"
	"strings"
	"testing"
)

func TestClusterIDIsDeterministicAndOrderFree(t *testing.T) {
	a := []Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2"}, {ID: 3, Addr: "127.0.0.1:3"}}
	b := []Member{a[2], a[0], a[1]}
	if ClusterID(a) != ClusterID(b) {
		t.Fatal("member order changed the cluster id")
	}
	if ClusterID(a) == 0 {
		t.Fatal("zero cluster id")
	}
	c := []Member{a[0], a[1], {ID: 3, Addr: "127.0.0.1:4"}}
	d := []Member{a[0], a[1], {ID: 4, Addr: "127.0.0.1:3"}}
	if ClusterID(a) == ClusterID(c) || ClusterID(a) == ClusterID(d) || ClusterID(a) == ClusterID(a[:2]) {
		t.Fatal("different member lists share a cluster id")
	}
}

func TestResolveClusterID(t *testing.T) {
	dir := t.TempDir()
	boot := []Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2"}}
	id, err := ResolveClusterID(dir, boot, 0)
	if err != nil || id != ClusterID(boot) {
		t.Fatalf("new: %x, %v", id, err)
	}
	if again, err := ResolveClusterID(dir, boot, 0); err != nil || again != id {
		t.Fatalf("restart with same list: %x, %v", again, err)
	}
	if again, err := ResolveClusterID(dir, nil, 0); err != nil || again != id {
		t.Fatalf("restart without list: %x, %v", again, err)
	}
	other := []Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 3, Addr: "127.0.0.1:3"}}
	_, err = ResolveClusterID(dir, other, 0)
	if !errors.Is(err, ErrClusterMismatch) || !strings.Contains(err.Error(), "1=127.0.0.1:1,2=127.0.0.1:2") || !strings.Contains(err.Error(), "3=127.0.0.1:3") {
		t.Fatalf("disagreeing list: %v", err)
	}
	if _, err := ResolveClusterID(dir, nil, id+1); !errors.Is(err, ErrClusterMismatch) {
		t.Fatalf("other join id: %v", err)
	}
	join := t.TempDir()
	if got, err := ResolveClusterID(join, nil, 77); err != nil || got != 77 {
		t.Fatalf("join: %x, %v", got, err)
	}
	if _, err := ResolveClusterID(t.TempDir(), nil, 0); err == nil {
		t.Fatal("new directory without list or id accepted")
	}
}
