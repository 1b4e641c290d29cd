package node_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/rpc/security"
)

// The metrics listener follows the node's security: with TLS it serves
// HTTPS with the node's certificate, and with an auth file /metrics needs
// a user holding "status" and /debug/pprof/ one holding "admin".
func TestMetricsListenerFollowsTheNodesSecurity(t *testing.T) {
	p := newPKI(t)
	tlsCfg, err := security.LoadNode(security.NodeFiles{Cert: p.node.Cert, Key: p.node.Key, PeerCA: p.peerCA.File}, nil)
	if err != nil {
		t.Fatal(err)
	}
	users := ""
	for _, u := range []struct{ name, perms string }{{"mon", `"status"`}, {"root", `"admin", "status"`}, {"reader", `"read"`}} {
		hash, err := auth.HashPassword("pw-" + u.name)
		if err != nil {
			t.Fatal(err)
		}
		users += fmt.Sprintf(`{"username": %q, "password": %q, "perms": [%s]},`, u.name, hash, u.perms)
	}
	authn, err := auth.Parse([]byte("[" + users + `{"username": "*", "perms": []}]`))
	if err != nil {
		t.Fatal(err)
	}
	lis := listenLoopback(t)
	n, err := node.Start(context.Background(), node.Config{
		ID: 1, Peers: []raft.Member{{ID: 1, Addr: lis.Addr().String()}}, DataDir: filepath.Join(t.TempDir(), "1"),
		Listener: lis, MetricsListener: listenLoopback(t), TLS: tlsCfg, Auth: authn,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })

	if resp, err := http.Get("http://" + n.MetricsAddr() + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP scrape of a TLS node's metrics succeeded")
		}
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: clientTLS(t, p.peerCA.File, nil)}}
	get := func(path, user, password string) int {
		t.Helper()
		req, err := http.NewRequest("GET", "https://"+n.MetricsAddr()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("GET %s as %q: %v", path, user, err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	for _, c := range []struct {
		path, user, password string
		want                 int
	}{
		{"/metrics", "", "", http.StatusForbidden},
		{"/metrics", "mon", "wrong", http.StatusUnauthorized},
		{"/metrics", "reader", "pw-reader", http.StatusForbidden},
		{"/metrics", "mon", "pw-mon", http.StatusOK},
		{"/debug/pprof/", "mon", "pw-mon", http.StatusForbidden},
		{"/debug/pprof/", "root", "pw-root", http.StatusOK},
		{"/metrics", "root", "pw-root", http.StatusOK},
	} {
		if got := get(c.path, c.user, c.password); got != c.want {
			t.Errorf("GET %s as %q: status %d, want %d", c.path, c.user, got, c.want)
		}
	}
}
