package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/crypto/bcrypt"
)

// MaxFileBytes bounds the size of an auth file.
const MaxFileBytes = 1 << 20

// fileUser is one entry of the auth file.
type fileUser struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	Perms    []string `json:"perms"`
}

// user is a parsed entry: the bcrypt hash and the permissions.
type user struct {
	hash  []byte
	perms Perm
}

// LoadFile reads the auth file at path. Like ssh with a private key, it
// refuses a file that its group or others may read or write: the hashes
// must not leak for offline guessing.
func LoadFile(path string) (*Authenticator, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth file: %w", err)
	}
	if mode := st.Mode().Perm(); mode&0o077 != 0 {
		return nil, fmt.Errorf("auth file %s is accessible by group or others (mode %04o): chmod 600 %s", path, mode, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("auth file %s: %w", path, err)
	}
	a, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("auth file %s: %w", path, err)
	}
	return a, nil
}

// Parse parses an auth file's content: a JSON array of users, each
// {"username": NAME, "password": BCRYPT-HASH, "perms": [PERM, ...]}. The
// user "*" has no password: its permissions are those of clients that
// send no credentials.
func Parse(data []byte) (*Authenticator, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var entries []fileUser
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("not a JSON array of users: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("text after the JSON array")
	}
	users := make(map[string]user, len(entries))
	for i, e := range entries {
		u, err := parseUser(e)
		if err != nil {
			return nil, fmt.Errorf("user %d (%q): %w", i+1, e.Username, err)
		}
		if _, dup := users[e.Username]; dup {
			return nil, fmt.Errorf("user %q listed twice", e.Username)
		}
		users[e.Username] = u
	}
	return newAuthenticator(users), nil
}

// parseUser checks one entry of the auth file.
func parseUser(e fileUser) (user, error) {
	if e.Username == "" {
		return user{}, errors.New("no username")
	}
	if !validName(e.Username) {
		return user{}, errors.New("a username is printable ASCII without ':' or spaces")
	}
	var u user
	for _, name := range e.Perms {
		p, err := ParsePerm(name)
		if err != nil {
			return user{}, err
		}
		u.perms |= p
	}
	if e.Username == Anonymous {
		if e.Password != "" {
			return user{}, errors.New(`the user "*" (clients without credentials) has no password`)
		}
		return u, nil
	}
	if _, err := bcrypt.Cost([]byte(e.Password)); err != nil {
		return user{}, fmt.Errorf("the password must be a bcrypt hash (resqlite passwd prints one): %w", err)
	}
	u.hash = []byte(e.Password)
	return u, nil
}

// validName reports whether name can travel in basic-auth credentials
// and log lines unchanged.
func validName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// HashPassword returns the bcrypt hash of password for the auth file.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}
