package auth

// Anonymous is the name of the identity of a request without
// credentials; the auth file's user "*" gives it permissions.
const Anonymous = "*"

// Identity is who a request runs as: a user the Authenticator verified,
// the anonymous user "*", or a node of the cluster.
type Identity struct {
	// Name is the user's name ("*" for an unauthenticated client).
	Name string
	// Perms are the user's permissions.
	Perms Perm
}

// Allowed reports whether the identity has permission p.
func (id Identity) Allowed(p Perm) bool { return p != 0 && id.Perms&p == p }
