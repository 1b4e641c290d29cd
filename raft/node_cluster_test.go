package raft

import "testing"

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
