package guard

import (
	"context"
	"errors"
	"strings"

	"github.com/resqlite/resqlite/rpc/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// ForwardedKey is the metadata key of the identity a node forwards a
// client's call under; it is trusted only from a node's certificate.
const ForwardedKey = "resqlite-forwarded-identity"

// nodeIdentity is the identity of a node calling on its own behalf (a
// joining node, the rules upgrade): it may do everything, as it can send
// Raft messages anyway.
func nodeIdentity() auth.Identity { return auth.Identity{Name: "node", Perms: auth.AllPerms} }

// caller is who made a call.
type caller struct {
	id     auth.Identity
	isNode bool
	// whyNotNode says why a TLS caller is not a node.
	whyNotNode string
}

// identify finds the caller of ctx: a node (by its certificate), the
// identity a node forwarded, or a client by its credentials.
func (g *Guard) identify(ctx context.Context) (caller, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	var why string
	if g.cfg.TLS != nil {
		var isNode bool
		if isNode, why = g.cfg.TLS.PeerIsNode(ctx); isNode {
			return g.nodeCaller(md)
		}
		if g.cfg.TLS.HasClientCA() && !g.cfg.TLS.PeerIsClient(ctx) {
			return caller{whyNotNode: why}, status.Error(codes.Unauthenticated, "this node requires a client certificate signed by its client CA (-cert/-key)")
		}
	}
	id, err := g.client(md)
	return caller{id: id, whyNotNode: why}, err
}

// nodeCaller is a node's call: on its own behalf, or forwarding a
// client's with the identity it verified.
func (g *Guard) nodeCaller(md metadata.MD) (caller, error) {
	v := first(md, ForwardedKey)
	if v == "" {
		return caller{id: nodeIdentity(), isNode: true}, nil
	}
	id, err := parseForwarded(v)
	if err != nil {
		return caller{}, status.Errorf(codes.InvalidArgument, "forwarded identity: %v", err)
	}
	return caller{id: id, isNode: true}, nil
}

// client authenticates a client by its credentials (md's authorization).
func (g *Guard) client(md metadata.MD) (auth.Identity, error) {
	return g.credentials(first(md, auth.MetadataKey))
}

// credentials authenticates a client by its authorization value (empty:
// none given), under the auth file in use.
func (g *Guard) credentials(creds string) (auth.Identity, error) {
	a := g.auth.Load()
	if a == nil {
		return auth.Identity{Name: auth.Anonymous, Perms: auth.AllPerms}, nil
	}
	if creds == "" {
		return a.Anonymous(), nil
	}
	if g.cfg.TLS == nil && !g.cfg.AuthPlaintext {
		return auth.Identity{}, status.Error(codes.Unauthenticated, "credentials refused over a plaintext connection: this node needs TLS (-cert) or -auth-plaintext")
	}
	name, password, err := auth.ParseBasic(creds)
	if err != nil {
		return auth.Identity{}, status.Errorf(codes.Unauthenticated, "credentials: %v", err)
	}
	id, err := a.Authenticate(name, password)
	if err != nil {
		return auth.Identity{}, status.Errorf(codes.Unauthenticated, "user %q: %v", name, err)
	}
	return id, nil
}

// formatForwarded writes id for ForwardedKey: name;perms.
func formatForwarded(id auth.Identity) string { return id.Name + ";" + id.Perms.String() }

// parseForwarded parses formatForwarded's text.
func parseForwarded(v string) (auth.Identity, error) {
	i := strings.LastIndexByte(v, ';')
	if i <= 0 {
		return auth.Identity{}, errors.New("not name;perms")
	}
	p, err := auth.ParsePerms(v[i+1:])
	if err != nil {
		return auth.Identity{}, err
	}
	return auth.Identity{Name: v[:i], Perms: p}, nil
}

// first returns md's first value for key, or "".
func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}
