package node

import (
	"slices"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/guard"
	"google.golang.org/grpc"
)

// secure sets up the node's guard and, with TLS, makes every dial of a
// peer (transport, forwarding, join, rules upgrade) mutual TLS; without
// TLS it logs the one warning that the node is open.
func (n *Node) secure() {
	n.guard = guard.New(guard.Config{
		TLS: n.cfg.TLS, Auth: n.cfg.Auth, AuthPlaintext: n.cfg.AuthPlaintext,
		MaxSessions: n.cfg.MaxSessions, Logger: n.log,
	})
	if n.cfg.TLS == nil {
		n.log.Warn("node runs without TLS: anyone who reaches its port can read and write all data and act as a peer (give -cert, -key and -peer-ca)", "id", uint64(n.cfg.ID))
		return
	}
	n.cfg.DialOptions = append([]grpc.DialOption{n.cfg.TLS.DialOption()}, slices.Clone(n.cfg.DialOptions)...)
}

// securityServerOptions are the gRPC server options of TLS and the
// per-connection limit.
func (n *Node) securityServerOptions() []grpc.ServerOption {
	var opts []grpc.ServerOption
	if n.cfg.TLS != nil {
		opts = append(opts, grpc.Creds(n.cfg.TLS.ServerCredentials()))
	}
	if n.cfg.MaxStreams > 0 {
		opts = append(opts, grpc.MaxConcurrentStreams(n.cfg.MaxStreams))
	}
	return opts
}

// SetAuthenticator replaces the node's auth file (a reload); it cannot
// turn authentication on or off.
func (n *Node) SetAuthenticator(a *auth.Authenticator) { n.guard.SetAuthenticator(a) }

// Authenticator returns the auth file in use, or nil.
func (n *Node) Authenticator() *auth.Authenticator { return n.guard.Authenticator() }
