package guard

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/security"
)

// Config configures a Guard.
type Config struct {
	// TLS is the node's TLS configuration; nil: the node is plaintext.
	TLS *security.NodeTLS
	// Auth is the auth file's content; nil: no authentication, every
	// client may do everything.
	Auth *auth.Authenticator
	// AuthPlaintext accepts credentials over a plaintext connection.
	AuthPlaintext bool
	// MaxSessions bounds the open Session streams; 0: unbounded.
	MaxSessions int
	// Logger receives refusals; nil discards them.
	Logger *slog.Logger
}

// Guard checks every call a node receives. It is safe for concurrent
// use.
type Guard struct {
	cfg      Config
	log      *slog.Logger
	rules    map[string]Rule
	auth     atomic.Pointer[auth.Authenticator]
	sessions atomic.Int64
}

// New returns the guard of cfg.
func New(cfg Config) *Guard {
	g := &Guard{cfg: cfg, log: cfg.Logger, rules: rules()}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Auth != nil {
		g.auth.Store(cfg.Auth)
	}
	return g
}

// Authenticator returns the auth file in use, or nil.
func (g *Guard) Authenticator() *auth.Authenticator { return g.auth.Load() }

// SetAuthenticator replaces the auth file in use (a reload). It cannot
// turn authentication off: a is never nil.
func (g *Guard) SetAuthenticator(a *auth.Authenticator) {
	if a != nil {
		g.auth.Store(a)
	}
}

// identityKey is the context key of a call's verified Identity.
type identityKey struct{}

// withIdentity returns ctx carrying id.
func withIdentity(ctx context.Context, id auth.Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the verified identity of the call of ctx.
func IdentityFrom(ctx context.Context) (auth.Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(auth.Identity)
	return id, ok
}
