package auth

import (
	"fmt"
	"testing"
)

// FuzzParseBasic: the metadata parser never panics, and what it accepts
// round-trips through BasicHeader.
func FuzzParseBasic(f *testing.F) {
	for _, s := range []string{BasicHeader("alice", "pw"), "Basic ", "basic YTpi", "Basic OnB3", "Basic ====", "Bearer x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		name, pw, err := ParseBasic(header)
		if err != nil {
			return
		}
		n2, p2, err := ParseBasic(BasicHeader(name, pw))
		if err != nil || n2 != name || p2 != pw {
			t.Fatalf("round trip of %q:%q: %q:%q %v", name, pw, n2, p2, err)
		}
	})
}

// FuzzParseFile: the auth file loader never panics, and every user it
// accepts has only known permissions.
func FuzzParseFile(f *testing.F) {
	h := hash(f, "pw")
	f.Add([]byte(fmt.Sprintf(`[{"username":"alice","password":%q,"perms":["read","write"]}]`, h)))
	f.Add([]byte(`[{"username":"*","perms":["status"]}]`))
	f.Add([]byte(`[{"username":"a","password":"$2a$04$short","perms":[]}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data)
		if err != nil {
			return
		}
		for name, u := range a.users {
			if u.perms&^AllPerms != 0 || name == "" {
				t.Fatalf("user %q with perms %b", name, u.perms)
			}
		}
	})
}
