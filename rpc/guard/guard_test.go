package guard

import (
	"context"
	"fmt"
	"testing"

	"github.com/resqlite/resqlite/rpc/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// users returns an auth file with alice (read) and "*" (status).
func users(t *testing.T) *auth.Authenticator {
	h, err := auth.HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.Parse([]byte(fmt.Sprintf(`[{"username":"alice","password":%q,"perms":["read"]},{"username":"*","perms":["status"]}]`, h)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCheckWithoutTLS(t *testing.T) {
	a := users(t)
	alice := metadata.NewIncomingContext(context.Background(), metadata.Pairs(auth.MetadataKey, auth.BasicHeader("alice", "pw")))
	forged := metadata.NewIncomingContext(context.Background(), metadata.Pairs(ForwardedKey, "alice;admin"))
	anon := context.Background()
	cases := []struct {
		name      string
		plaintext bool
		ctx       context.Context
		method    string
		want      codes.Code
	}{
		{"anonymous status", false, anon, "Status", codes.OK},
		{"anonymous digest (the * user has status)", false, anon, "Digest", codes.OK},
		{"anonymous query", false, anon, "Query", codes.PermissionDenied},
		{"credentials over plaintext", false, alice, "Query", codes.Unauthenticated},
		{"credentials with -auth-plaintext", true, alice, "Query", codes.OK},
		{"alice snapshot", true, alice, "TakeSnapshot", codes.PermissionDenied},
		{"forged forwarded identity", true, forged, "TakeSnapshot", codes.PermissionDenied},
		{"raft without TLS", false, anon, "/resqlite.raft.v1.Raft/Replicate", codes.OK},
		{"health", false, anon, "/grpc.health.v1.Health/Check", codes.OK},
		{"alice backup", true, alice, "Backup", codes.PermissionDenied},
		{"an RPC not in the table", true, alice, "Frobnicate", codes.PermissionDenied},
		{"alice registers a write session", true, alice, "RegisterSession", codes.PermissionDenied},
	}
	for _, c := range cases {
		g := New(Config{Auth: a, AuthPlaintext: c.plaintext})
		method := c.method
		if method[0] != '/' {
			method = resqliteService + method
		}
		_, _, err := g.check(c.ctx, method)
		if status.Code(err) != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestCheckWithoutAuthFile(t *testing.T) {
	g := New(Config{})
	ctx, c, err := g.check(context.Background(), resqliteService+"RemoveMember")
	if err != nil || c.id.Perms != auth.AllPerms {
		t.Fatalf("no auth file: %+v %v", c, err)
	}
	if id, ok := IdentityFrom(ctx); !ok || id.Perms != auth.AllPerms {
		t.Fatalf("identity in the context: %+v %v", id, ok)
	}
}

// A user with schema but not write registers the session its DDL is
// sent in.
func TestSchemaUserRegistersSession(t *testing.T) {
	h, err := auth.HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.Parse([]byte(fmt.Sprintf(`[{"username":"ddl","password":%q,"perms":["schema"]}]`, h)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(auth.MetadataKey, auth.BasicHeader("ddl", "pw")))
	if _, _, err := New(Config{Auth: a, AuthPlaintext: true}).check(ctx, resqliteService+"RegisterSession"); err != nil {
		t.Fatal(err)
	}
}

func TestForwardedRoundTrip(t *testing.T) {
	id := auth.Identity{Name: "a;b", Perms: auth.PermRead | auth.PermSchema}
	got, err := parseForwarded(formatForwarded(id))
	if err != nil || got != id {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range []string{"", ";read", "alice", "alice;root"} {
		if _, err := parseForwarded(bad); err == nil {
			t.Errorf("parseForwarded(%q) accepted", bad)
		}
	}
}
