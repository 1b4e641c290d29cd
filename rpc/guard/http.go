package guard

import (
	"net/http"

	"github.com/resqlite/resqlite/rpc/auth"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// HTTP wraps h, a handler of the node's HTTP listener (metrics,
// profiling), so that only callers holding permission reach it, under
// the rules of the gRPC port: a node's certificate may do everything;
// with a client CA, other callers need a client certificate; users send
// HTTP basic credentials, accepted only over TLS unless AuthPlaintext;
// no credentials is the user "*". Its signature is metrics.Guard's.
func (g *Guard) HTTP(permission string, h http.Handler) http.Handler {
	perm, err := auth.ParsePerm(permission)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			http.Error(w, "resqlite: "+err.Error(), http.StatusInternalServerError)
			return
		}
		id, err := g.identifyHTTP(r)
		if err != nil {
			g.log.Warn("HTTP request refused", "remote", r.RemoteAddr, "path", r.URL.Path, "err", err)
			w.Header().Set("WWW-Authenticate", `Basic realm="resqlite"`)
			http.Error(w, "resqlite: "+status.Convert(err).Message(), http.StatusUnauthorized)
			return
		}
		if !id.Allowed(perm) {
			g.log.Warn("HTTP request refused", "remote", r.RemoteAddr, "path", r.URL.Path, "user", id.Name, "needs", permission)
			http.Error(w, "resqlite: user "+id.Name+" lacks the "+permission+" permission", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// identifyHTTP is identify for an HTTP request.
func (g *Guard) identifyHTTP(r *http.Request) (auth.Identity, error) {
	if g.cfg.TLS != nil && r.TLS != nil {
		chain := r.TLS.PeerCertificates
		if isNode, _ := g.cfg.TLS.ChainIsNode(chain); isNode {
			return nodeIdentity(), nil
		}
		if g.cfg.TLS.HasClientCA() && !g.cfg.TLS.ChainIsClient(chain) {
			return auth.Identity{}, status.Error(codes.Unauthenticated, "this node requires a client certificate signed by its client CA")
		}
	}
	return g.credentials(r.Header.Get("Authorization"))
}
