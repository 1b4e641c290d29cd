package auth

import (
	"fmt"
	"strings"
)

// Perm is one permission of a user.
type Perm uint8

// The permissions of the auth file.
const (
	// PermRead: queries and dumps.
	PermRead Perm = 1 << iota
	// PermWrite: writes that change rows (INSERT, UPDATE, DELETE, ...).
	PermWrite
	// PermSchema: writes that change the schema (CREATE, DROP, ALTER).
	PermSchema
	// PermAdmin: membership, snapshots, leadership transfer, backup and
	// restore, profiling.
	PermAdmin
	// PermStatus: the node's status, digest and metrics.
	PermStatus
)

// permNames are the permissions' names in the auth file, in order.
var permNames = [...]struct {
	p    Perm
	name string
}{{PermRead, "read"}, {PermWrite, "write"}, {PermSchema, "schema"}, {PermAdmin, "admin"}, {PermStatus, "status"}}

// AllPerms holds every permission (what a node's own identity has).
const AllPerms = PermRead | PermWrite | PermSchema | PermAdmin | PermStatus

// ParsePerm returns the permission named name.
func ParsePerm(name string) (Perm, error) {
	for _, pn := range permNames {
		if pn.name == name {
			return pn.p, nil
		}
	}
	return 0, fmt.Errorf("unknown permission %q (known: read, write, schema, admin, status)", name)
}

// String returns the names of the permissions in p, comma-separated.
func (p Perm) String() string {
	var names []string
	for _, pn := range permNames {
		if p&pn.p != 0 {
			names = append(names, pn.name)
		}
	}
	return strings.Join(names, ",")
}

// ParsePerms parses a comma-separated list of permission names (String's
// format; empty is no permission).
func ParsePerms(s string) (Perm, error) {
	var p Perm
	for _, name := range strings.Split(s, ",") {
		if name == "" {
			continue
		}
		one, err := ParsePerm(name)
		if err != nil {
			return 0, err
		}
		p |= one
	}
	return p, nil
}
