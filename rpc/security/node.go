package security

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// NodeTLS is a node's reloadable TLS configuration. It is safe for
// concurrent use.
type NodeTLS struct {
	files NodeFiles
	log   *slog.Logger
	cur   atomic.Pointer[material]
}

// LoadNode loads files; log receives refused handshakes.
func LoadNode(files NodeFiles, log *slog.Logger) (*NodeTLS, error) {
	m, err := loadMaterial(files)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &NodeTLS{files: files, log: log}
	n.cur.Store(m)
	return n, nil
}

// Reload reads the files again. A set that does not load is refused and
// the current one kept (the error says why); changed says whether the
// files differ from those in use.
func (n *NodeTLS) Reload() (changed bool, err error) {
	m, err := loadMaterial(n.files)
	if err != nil {
		return false, fmt.Errorf("tls: reload refused, the previous certificates stay in use: %w", err)
	}
	changed = !sameDigest(m, n.cur.Load())
	n.cur.Store(m)
	return changed, nil
}

// HasClientCA reports whether client certificates are required.
func (n *NodeTLS) HasClientCA() bool { return n.cur.Load().clients != nil }

// ServerCredentials returns the credentials of the node's gRPC server:
// its certificate, client certificates verified if given (against the
// peer and client CAs), and every refused handshake logged.
func (n *NodeTLS) ServerCredentials() credentials.TransportCredentials {
	return loggedCredentials{TransportCredentials: credentials.NewTLS(n.serverConfig("h2")), log: n.log}
}

// HTTPConfig returns the TLS configuration of the node's HTTP listener
// (metrics and profiling): the same certificate and client certificate
// checks as its gRPC port, for HTTP/1.1 and HTTP/2 clients.
func (n *NodeTLS) HTTPConfig() *tls.Config { return n.serverConfig("h2", "http/1.1") }

// serverConfig is a server's TLS configuration offering protos; each
// handshake uses the files loaded at that time.
func (n *NodeTLS) serverConfig(protos ...string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			m := n.cur.Load()
			return &tls.Config{
				MinVersion:   tls.VersionTLS12,
				Certificates: []tls.Certificate{m.cert},
				ClientAuth:   tls.VerifyClientCertIfGiven,
				ClientCAs:    m.accept,
				NextProtos:   protos,
			}, nil
		},
	}
}

// DialOption returns the credentials a node dials its peers with: its
// own certificate as client certificate, and a server that must be a
// node (chain to the peer CA, the node marker, the address dialed among
// its names). Each handshake uses the files loaded at that time.
func (n *NodeTLS) DialOption() grpc.DialOption {
	return grpc.WithTransportCredentials(peerCredentials{n: n})
}

// clientConfig is the TLS configuration of one dial of a peer.
func (n *NodeTLS) clientConfig() *tls.Config {
	m := n.cur.Load()
	return &tls.Config{
		MinVersion:       tls.VersionTLS12,
		Certificates:     []tls.Certificate{m.cert},
		RootCAs:          m.peers,
		VerifyConnection: verifyServerIsNode,
	}
}

// verifyServerIsNode requires the marker of the peer this node dialed
// (its chain and name are verified by crypto/tls).
func verifyServerIsNode(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 || !HasNodeMarker(cs.PeerCertificates[0]) {
		return fmt.Errorf("tls: the peer's certificate lacks the node marker %s", NodeMarker)
	}
	return nil
}

// peerCredentials are the client-side credentials of a node's dials.
type peerCredentials struct{ n *NodeTLS }

func (p peerCredentials) ClientHandshake(ctx context.Context, authority string, conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return credentials.NewTLS(p.n.clientConfig()).ClientHandshake(ctx, authority, conn)
}

func (p peerCredentials) ServerHandshake(net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return nil, nil, errors.New("tls: peer credentials are for dialing only")
}

func (p peerCredentials) Info() credentials.ProtocolInfo {
	return credentials.NewTLS(&tls.Config{}).Info()
}

func (p peerCredentials) Clone() credentials.TransportCredentials { return p }

// OverrideServerName is deprecated in gRPC and unused here.
func (p peerCredentials) OverrideServerName(string) error { return nil }

// PeerIsNode reports whether the caller of ctx presented a node's
// certificate; if not, why not.
func (n *NodeTLS) PeerIsNode(ctx context.Context) (bool, string) {
	return n.ChainIsNode(peerChain(ctx))
}

// ChainIsNode reports whether chain, the certificates a caller presented
// (leaf first), is a node's; if not, why not.
func (n *NodeTLS) ChainIsNode(chain []*x509.Certificate) (bool, string) {
	if len(chain) == 0 {
		return false, "no client certificate"
	}
	if _, err := verify(chain[0], raws(chain), n.cur.Load().peers, x509.ExtKeyUsageClientAuth); err != nil {
		return false, "certificate does not chain to the peer CA"
	}
	if !HasNodeMarker(chain[0]) {
		return false, "certificate lacks the node marker " + NodeMarker
	}
	return true, ""
}

// PeerIsClient reports whether the caller of ctx presented a certificate
// that chains to the client CA.
func (n *NodeTLS) PeerIsClient(ctx context.Context) bool {
	return n.ChainIsClient(peerChain(ctx))
}

// ChainIsClient reports whether chain, the certificates a caller
// presented (leaf first), chains to the client CA.
func (n *NodeTLS) ChainIsClient(chain []*x509.Certificate) bool {
	m := n.cur.Load()
	if m.clients == nil || len(chain) == 0 {
		return false
	}
	_, err := verify(chain[0], raws(chain), m.clients, x509.ExtKeyUsageClientAuth)
	return err == nil
}

// peerChain returns the certificates the caller of ctx presented over
// TLS, leaf first (verified by the handshake against some accepted CA).
func peerChain(ctx context.Context) []*x509.Certificate {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok {
		return nil
	}
	return info.State.PeerCertificates
}

// raws returns the DER of certs.
func raws(certs []*x509.Certificate) [][]byte {
	out := make([][]byte, len(certs))
	for i, c := range certs {
		out[i] = c.Raw
	}
	return out
}

// loggedCredentials logs the handshakes the server refuses (a plaintext
// client, a certificate of an unknown CA), so refusals are seen at the
// receiver.
type loggedCredentials struct {
	credentials.TransportCredentials
	log *slog.Logger
}

func (c loggedCredentials) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	out, info, err := c.TransportCredentials.ServerHandshake(conn)
	if err != nil {
		c.log.Warn("TLS handshake refused", "remote", conn.RemoteAddr().String(), "err", err)
	}
	return out, info, err
}

func (c loggedCredentials) Clone() credentials.TransportCredentials {
	return loggedCredentials{TransportCredentials: c.TransportCredentials.Clone(), log: c.log}
}
