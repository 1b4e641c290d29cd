package metrics

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Permissions the metrics listener's paths need when the node checks
// its clients (Guard).
const (
	// PermStatus is needed for /metrics.
	PermStatus = "status"
	// PermAdmin is needed for /debug/pprof/.
	PermAdmin = "admin"
)

// Guard wraps a handler so that only clients holding permission reach
// it. The security work (TLS and the auth file) provides it; nil leaves
// the listener open.
type Guard func(permission string, h http.Handler) http.Handler

// Handler serves /metrics from the Set's registry and /debug/pprof/
// (net/http/pprof), each behind guard when it is set.
func (s *Set) Handler(guard Guard) http.Handler {
	if guard == nil {
		guard = func(_ string, h http.Handler) http.Handler { return h }
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", guard(PermStatus, promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg})))
	prof := http.NewServeMux()
	prof.HandleFunc("/debug/pprof/", pprof.Index)
	prof.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	prof.HandleFunc("/debug/pprof/profile", pprof.Profile)
	prof.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	prof.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/pprof/", guard(PermAdmin, prof))
	return mux
}

// Server serves a Set's Handler on its own listener.
type Server struct {
	http *http.Server
	lis  net.Listener
	done chan error
}

// Serve serves s.Handler(guard) on lis until Close.
func (s *Set) Serve(lis net.Listener, guard Guard) *Server {
	srv := &Server{
		http: &http.Server{Handler: s.Handler(guard), ReadHeaderTimeout: 10 * time.Second},
		lis:  lis, done: make(chan error, 1),
	}
	go func() { srv.done <- srv.http.Serve(lis) }()
	return srv
}

// Addr returns the address the server listens on.
func (srv *Server) Addr() string { return srv.lis.Addr().String() }

// Close stops the server and its running requests (a pprof profile
// included) and waits for it.
func (srv *Server) Close() error {
	err := srv.http.Close()
	if serr := <-srv.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("metrics: serve %s: %w", srv.Addr(), serr)
	}
	return err
}
