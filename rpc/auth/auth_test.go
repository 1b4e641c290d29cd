package auth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// hash returns a cheap bcrypt hash of pw for tests.
func hash(t testing.TB, pw string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestAuthenticate(t *testing.T) {
	data := fmt.Sprintf(`[{"username":"alice","password":%q,"perms":["read","write"]},{"username":"*","perms":["status"]}]`, hash(t, "s3cret"))
	a, err := Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	id, err := a.Authenticate("alice", "s3cret")
	if err != nil || id.Name != "alice" || !id.Allowed(PermRead) || !id.Allowed(PermWrite) || id.Allowed(PermAdmin) || id.Allowed(PermSchema) {
		t.Fatalf("alice: %+v, %v", id, err)
	}
	if _, err := a.Authenticate("alice", "s3cret"); err != nil { // from the cache
		t.Fatalf("alice again: %v", err)
	}
	for _, c := range [][2]string{{"alice", "wrong"}, {"bob", "s3cret"}, {"*", ""}, {"alice", ""}} {
		if _, err := a.Authenticate(c[0], c[1]); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("Authenticate(%q, %q) = %v, want ErrUnauthenticated", c[0], c[1], err)
		}
	}
	if anon := a.Anonymous(); !anon.Allowed(PermStatus) || anon.Allowed(PermRead) {
		t.Errorf("anonymous = %+v", anon)
	}
	if (Identity{}).Allowed(0) {
		t.Error("the zero permission is allowed")
	}
}

func TestParseRefuses(t *testing.T) {
	h := hash(t, "x")
	for _, bad := range []string{
		``, `{}`, `[{"username":"a","password":"plain","perms":["read"]}]`,
		fmt.Sprintf(`[{"username":"a","password":%q,"perms":["sudo"]}]`, h),
		fmt.Sprintf(`[{"username":"a","password":%q},{"username":"a","password":%q}]`, h, h),
		fmt.Sprintf(`[{"username":"a b","password":%q}]`, h),
		fmt.Sprintf(`[{"username":"a","password":%q,"prems":["read"]}]`, h),
		fmt.Sprintf(`[{"username":"*","password":%q}]`, h),
		`[] []`,
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%s) accepted", bad)
		}
	}
}

func TestLoadFileRefusesReadableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.json")
	data := fmt.Sprintf(`[{"username":"a","password":%q,"perms":["read"]}]`, hash(t, "pw"))
	if err := os.WriteFile(path, []byte(data), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("group-readable file: %v", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate("a", "pw"); err != nil {
		t.Fatal(err)
	}
}

func TestBasic(t *testing.T) {
	name, pw, err := ParseBasic(BasicHeader("alice", "pa:ss word"))
	if err != nil || name != "alice" || pw != "pa:ss word" {
		t.Fatalf("round trip: %q %q %v", name, pw, err)
	}
	for _, bad := range []string{"", "Bearer abc", "Basic !!!", "Basic " + "YWxpY2U=", "Basic OnB3"} {
		if _, _, err := ParseBasic(bad); err == nil {
			t.Errorf("ParseBasic(%q) accepted", bad)
		}
	}
}

func TestPerms(t *testing.T) {
	p, err := ParsePerms("read,admin")
	if err != nil || p != PermRead|PermAdmin || p.String() != "read,admin" {
		t.Fatalf("%v %q %v", p, p.String(), err)
	}
	if _, err := ParsePerms("read,root"); err == nil {
		t.Fatal("unknown permission accepted")
	}
}

func TestChanges(t *testing.T) {
	h1, h2 := hash(t, "one"), hash(t, "two")
	a, err := Parse([]byte(fmt.Sprintf(`[{"username":"a","password":%q,"perms":["read"]},{"username":"b","password":%q},{"username":"c","password":%q}]`, h1, h1, h1)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse([]byte(fmt.Sprintf(`[{"username":"a","password":%q,"perms":["write"]},{"username":"b","password":%q},{"username":"d","password":%q}]`, h1, h2, h1)))
	if err != nil {
		t.Fatal(err)
	}
	added, removed, changed := a.Changes(b)
	if fmt.Sprint(added, removed, changed) != "[d] [c] [a b]" {
		t.Fatalf("added %v removed %v changed %v", added, removed, changed)
	}
	if x, y, z := a.Changes(a); len(x)+len(y)+len(z) != 0 {
		t.Fatalf("a file against itself: %v %v %v", x, y, z)
	}
}
