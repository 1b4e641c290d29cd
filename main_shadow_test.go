package main

import (
	"strings"
	"testing"
)

// The repro through a 3-node cluster: a user who writes to an
// fts5 table's shadow table is refused (SQLite's defensive mode, rules
// version 6), and the cluster keeps serving writes: the next insert into
// the table, and others, apply on every node alike. Before, the write went
// through and the next insert halted apply on every node
// ("database disk image is malformed").
func TestShadowTableWriteKeepsClusterServing(t *testing.T) {
	skipShort(t)
	nodes := startCluster(t, 3)
	setup := "CREATE VIRTUAL TABLE ft USING fts5(x);\nINSERT INTO ft VALUES('a b c');\n"
	if r := runProgram(t, t.TempDir(), setup, "-connect", nodes[0].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	bad := runProgram(t, t.TempDir(), "DELETE FROM ft_data WHERE id=1;\n", "-connect", nodes[1].addr)
	if bad.code == 0 || !strings.Contains(bad.stderr, "table ft_data may not be modified") {
		t.Fatalf("the shadow table write: exit %d, stderr %q", bad.code, bad.stderr)
	}
	more := "INSERT INTO ft VALUES('d');\nCREATE TABLE t(a);\nINSERT INTO t VALUES (1);\n"
	if r := runProgram(t, t.TempDir(), more, "-connect", nodes[2].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("writes after the refused one: exit %d\n%s", r.code, r.stderr)
	}
	sum := digest(t, nodes[0].addr)
	for i, nd := range nodes {
		if got := digest(t, nd.addr); got != sum {
			t.Errorf("node %d: digest %s, want %s", i+1, got, sum)
		}
		check := ".mode list\nSELECT rowid FROM ft WHERE ft MATCH 'a OR d' ORDER BY rowid;\nSELECT * FROM t;\n"
		if got := runProgram(t, t.TempDir(), check, "-connect", nd.addr); got.stdout != "1\n2\n1\n" {
			t.Errorf("node %d reads %q (%s)", i+1, got.stdout, got.stderr)
		}
	}
}
