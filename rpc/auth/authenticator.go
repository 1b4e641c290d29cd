package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"slices"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// ErrUnauthenticated is returned for an unknown user or a wrong password
// (the same error for both, so that names cannot be probed).
var ErrUnauthenticated = errors.New("unknown user or wrong password")

// maxCached bounds the verified credentials an Authenticator remembers.
const maxCached = 1024

// Authenticator verifies users against one auth file's content. It is
// safe for concurrent use and never changes: a reload builds a new one.
type Authenticator struct {
	users map[string]user
	// dummy is compared against for unknown users, so that they cost
	// the same time as a wrong password.
	dummy []byte

	// verified caches credentials bcrypt accepted (keyed by a hash of
	// name and password), since clients send them on every request and
	// bcrypt is deliberately slow.
	mu       sync.Mutex
	verified map[[sha256.Size]byte]bool
}

// newAuthenticator returns an Authenticator for users.
func newAuthenticator(users map[string]user) *Authenticator {
	dummy, _ := bcrypt.GenerateFromPassword([]byte("resqlite: no such user"), bcrypt.MinCost)
	return &Authenticator{users: users, dummy: dummy, verified: map[[sha256.Size]byte]bool{}}
}

// Authenticate returns the identity of name if password is its password.
func (a *Authenticator) Authenticate(name, password string) (Identity, error) {
	u, ok := a.users[name]
	if !ok || name == Anonymous {
		bcrypt.CompareHashAndPassword(a.dummy, []byte(password))
		return Identity{}, ErrUnauthenticated
	}
	key := credentialKey(name, password)
	if a.cached(key) {
		return Identity{Name: name, Perms: u.perms}, nil
	}
	if bcrypt.CompareHashAndPassword(u.hash, []byte(password)) != nil {
		return Identity{}, ErrUnauthenticated
	}
	a.remember(key)
	return Identity{Name: name, Perms: u.perms}, nil
}

// Anonymous returns the identity of clients without credentials: the
// user "*" if the file has one, else an identity with no permission.
func (a *Authenticator) Anonymous() Identity {
	return Identity{Name: Anonymous, Perms: a.users[Anonymous].perms}
}

// Users returns the number of users in the file.
func (a *Authenticator) Users() int { return len(a.users) }

// Changes lists how next differs from a, by user name: the users it
// adds, removes, and changes (password or permissions), each sorted.
func (a *Authenticator) Changes(next *Authenticator) (added, removed, changed []string) {
	for name, u := range next.users {
		v, ok := a.users[name]
		switch {
		case !ok:
			added = append(added, name)
		case u.perms != v.perms || subtle.ConstantTimeCompare(u.hash, v.hash) != 1:
			changed = append(changed, name)
		}
	}
	for name := range a.users {
		if _, ok := next.users[name]; !ok {
			removed = append(removed, name)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	slices.Sort(changed)
	return added, removed, changed
}

// credentialKey is the cache key of a name and password.
func credentialKey(name, password string) [sha256.Size]byte {
	return sha256.Sum256([]byte(name + "\x00" + password))
}

func (a *Authenticator) cached(key [sha256.Size]byte) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.verified[key]
}

func (a *Authenticator) remember(key [sha256.Size]byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.verified) >= maxCached {
		clear(a.verified)
	}
	a.verified[key] = true
}
