package main

import (
	"log/slog"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/node"
)

// reload re-reads the node's certificates and auth file (SIGHUP): a file
// that does not load is refused and the one in use kept; what changed is
// logged.
func reload(n *node.Node, cfg node.Config, authPath string, log *slog.Logger) {
	if cfg.TLS != nil {
		changed, err := cfg.TLS.Reload()
		switch {
		case err != nil:
			log.Error("SIGHUP: certificates not reloaded", "err", err)
		case changed:
			log.Warn("SIGHUP: certificates reloaded: new connections use the new files")
		default:
			log.Info("SIGHUP: certificates unchanged")
		}
	}
	if authPath == "" {
		return
	}
	a, err := auth.LoadFile(authPath)
	if err != nil {
		log.Error("SIGHUP: auth file not reloaded, the previous users stay in effect", "err", err)
		return
	}
	added, removed, changed := n.Authenticator().Changes(a)
	n.SetAuthenticator(a)
	if len(added)+len(removed)+len(changed) == 0 {
		log.Info("SIGHUP: auth file unchanged")
		return
	}
	log.Warn("SIGHUP: auth file reloaded", "users", a.Users(), "added", added, "removed", removed, "changed", changed)
}
