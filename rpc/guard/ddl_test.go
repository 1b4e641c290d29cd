package guard

import (
	"slices"
	"testing"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

func TestFirstKeywords(t *testing.T) {
	cases := []struct {
		sql  string
		want []string
	}{
		{"INSERT INTO t VALUES (1)", []string{"INSERT"}},
		{"  -- c\n/* x; */ create table t(a); insert into t values ('a;drop')", []string{"create", "insert"}},
		{`INSERT INTO "x;DROP" VALUES (1);DROP TABLE t`, []string{"INSERT", "DROP"}},
		{"SELECT 'it''s; ALTER'; ALTER TABLE t ADD b", []string{"SELECT", "ALTER"}},
		{"UPDATE [a;b] SET c = 1", []string{"UPDATE"}},
		{";;", nil},
	}
	for _, c := range cases {
		if got := firstKeywords(c.sql); !slices.Equal(got, c.want) {
			t.Errorf("firstKeywords(%q) = %q, want %q", c.sql, got, c.want)
		}
	}
}

func TestEntryPerms(t *testing.T) {
	stmt := func(sql string) *resqlitepb.Statement { return &resqlitepb.Statement{Sql: []byte(sql)} }
	if p := entryPerms([]*resqlitepb.Statement{stmt("INSERT INTO t VALUES (1)")}); p != auth.PermWrite {
		t.Errorf("INSERT needs %v", p)
	}
	if p := entryPerms([]*resqlitepb.Statement{stmt("CREATE TABLE t (a)")}); p != auth.PermSchema {
		t.Errorf("CREATE needs %v", p)
	}
	if p := entryPerms([]*resqlitepb.Statement{stmt("INSERT INTO t VALUES (1)"), stmt("drop table t")}); p != auth.PermWrite|auth.PermSchema {
		t.Errorf("INSERT + DROP needs %v", p)
	}
}

// Every rule of the table names an RPC of the service, and an RPC not in
// the table (a newer one, such as a backup) needs admin.
func TestTableNamesTheServicesRPCs(t *testing.T) {
	var names []string
	for _, m := range resqlitepb.ReSqlite_ServiceDesc.Methods {
		names = append(names, m.MethodName)
	}
	for _, s := range resqlitepb.ReSqlite_ServiceDesc.Streams {
		names = append(names, s.StreamName)
	}
	for _, r := range Table() {
		if !slices.Contains(names, r.Method) {
			t.Errorf("the table names %s, which the service lacks", r.Method)
		}
	}
	g := New(Config{})
	for _, name := range names {
		r := g.ruleFor(resqliteService + name)
		if _, listed := g.rules[resqliteService+name]; !listed && (r.Access != Permission || r.Perm != auth.PermAdmin) {
			t.Errorf("%s is not in the table and does not need admin: %+v", name, r)
		}
	}
	if r := g.ruleFor(raftService + "Replicate"); r.Access != NodeOnly {
		t.Errorf("Raft RPCs: %+v", r)
	}
}
