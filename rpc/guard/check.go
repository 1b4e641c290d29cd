package guard

import (
	"context"
	"strings"

	"github.com/resqlite/resqlite/rpc/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// check decides whether the caller of ctx may call method; it returns
// ctx carrying the caller's identity, and the caller.
func (g *Guard) check(ctx context.Context, method string) (context.Context, caller, error) {
	r := g.ruleFor(method)
	if r.Access == Open || r.Access == NodeOnly && g.cfg.TLS == nil {
		return ctx, caller{}, nil
	}
	c, err := g.identify(ctx)
	if err != nil {
		g.refused(ctx, method, c, err)
		return ctx, c, err
	}
	if err := g.allowed(r, c); err != nil {
		g.refused(ctx, method, c, err)
		return ctx, c, err
	}
	return withIdentity(ctx, c.id), c, nil
}

// allowed applies rule r to caller c (ByStatement is checked per
// request: allowedPerms).
func (g *Guard) allowed(r Rule, c caller) error {
	switch r.Access {
	case NodeOnly:
		if !c.isNode {
			return status.Errorf(codes.PermissionDenied, "%s is for the cluster's nodes only: %s", r.Method, c.whyNotNode)
		}
	case NodeOrPerm:
		if g.cfg.TLS != nil && !c.isNode {
			return status.Errorf(codes.PermissionDenied, "%s is for the cluster's nodes only (a node certificate from the peer CA): %s", r.Method, c.whyNotNode)
		}
		if g.cfg.TLS == nil {
			return allowedPerms(r.Method, c.id, r.Perm)
		}
	case Authenticated:
		if c.id.Name == auth.Anonymous && c.id.Perms == 0 {
			return noCredentials()
		}
	case Permission:
		return allowedPerms(r.Method, c.id, r.Perm)
	case AnyPerm:
		if c.id.Perms&r.Perm == 0 {
			return allowedPerms(r.Method, c.id, r.Perm)
		}
	}
	return nil
}

// allowedPerms checks that id has every permission of need.
func allowedPerms(method string, id auth.Identity, need auth.Perm) error {
	if id.Allowed(need) {
		return nil
	}
	if id.Name == auth.Anonymous && id.Perms == 0 {
		return noCredentials()
	}
	return status.Errorf(codes.PermissionDenied, "user %q lacks the permission %q that %s needs (it has %q)", id.Name, (need &^ id.Perms).String(), shortMethod(method), id.Perms.String())
}

func noCredentials() error {
	return status.Error(codes.Unauthenticated, "this node requires credentials: give a user (-user NAME)")
}

// refused logs a refused call at the receiver.
func (g *Guard) refused(ctx context.Context, method string, c caller, err error) {
	remote := ""
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		remote = p.Addr.String()
	}
	if r := g.ruleFor(method); r.Access == NodeOnly || r.Access == NodeOrPerm {
		g.log.Warn("peer call refused", "method", method, "remote", remote, "err", status.Convert(err).Message())
		return
	}
	g.log.Info("call refused", "method", method, "remote", remote, "user", c.id.Name, "err", status.Convert(err).Message())
}

// shortMethod returns the RPC name of a full method name.
func shortMethod(method string) string {
	return method[strings.LastIndexByte(method, '/')+1:]
}
