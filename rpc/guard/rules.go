package guard

import (
	"strings"

	"github.com/resqlite/resqlite/rpc/auth"
)

// Access is what a call needs.
type Access int

const (
	// Open: anyone (health checks, reflection).
	Open Access = iota
	// NodeOnly: a node's certificate when the node runs TLS (Raft RPCs);
	// without TLS, anyone.
	NodeOnly
	// Authenticated: any user the auth file knows (or "*").
	Authenticated
	// Permission: the rule's Perm.
	Permission
	// ByStatement: write, or schema for DDL, per statement of the entry
	// (Execute; the writes of a Session; its reads need read).
	ByStatement
	// NodeOrPerm: a node's certificate, or, without TLS, the rule's Perm
	// (AddMember: a joining node).
	NodeOrPerm
	// AnyPerm: one of the permissions in the rule's Perm.
	AnyPerm
)

// Rule is the access rule of one RPC.
type Rule struct {
	Method string
	Access Access
	Perm   auth.Perm
}

// Prefixes of the services a node serves.
const (
	resqliteService = "/resqlite.v1.ReSqlite/"
	raftService     = "/resqlite.raft.v1.Raft/"
)

// Table is the permission of each RPC of the client service, the table
// the README shows. An RPC it does not list needs admin.
func Table() []Rule {
	return []Rule{
		{"Status", Authenticated, 0},
		{"Members", Authenticated, 0},
		{"Execute", ByStatement, auth.PermWrite},
		{"Session", ByStatement, auth.PermWrite},
		{"RegisterSession", AnyPerm, auth.PermWrite | auth.PermSchema},
		{"Query", Permission, auth.PermRead},
		{"Dump", Permission, auth.PermRead},
		{"Digest", Permission, auth.PermStatus},
		{"AddMember", NodeOrPerm, auth.PermAdmin},
		{"RemoveMember", Permission, auth.PermAdmin},
		{"TakeSnapshot", Permission, auth.PermAdmin},
		{"TransferLeadership", Permission, auth.PermAdmin},
		// A backup is every row: it needs read as well.
		{"Backup", Permission, auth.PermAdmin | auth.PermRead},
		{"Restore", Permission, auth.PermAdmin},
	}
}

// rules indexes Table by full method name.
func rules() map[string]Rule {
	m := map[string]Rule{}
	for _, r := range Table() {
		m[resqliteService+r.Method] = r
	}
	return m
}

// ruleFor returns the rule of the full method name method.
func (g *Guard) ruleFor(method string) Rule {
	if r, ok := g.rules[method]; ok {
		return r
	}
	switch {
	case strings.HasPrefix(method, raftService):
		return Rule{Method: method, Access: NodeOnly}
	case strings.HasPrefix(method, "/grpc.health.v1.Health/"), strings.HasPrefix(method, "/grpc.reflection."):
		return Rule{Method: method, Access: Open}
	}
	return Rule{Method: method, Access: Permission, Perm: auth.PermAdmin}
}
