package security

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
)

// NodeMarker is the URI SAN that marks a node's certificate.
const NodeMarker = "resqlite:node"

// NodeFiles are the files of a node's TLS configuration.
type NodeFiles struct {
	// Cert and Key are the node's certificate (PEM, leaf first, then any
	// intermediates) and private key. Required.
	Cert, Key string
	// PeerCA is the CA (PEM) the certificates of peers chain to. Required.
	PeerCA string
	// ClientCA, if set, is the CA (PEM) client certificates must chain to:
	// clients without such a certificate are refused.
	ClientCA string
}

// material is one loaded set of NodeFiles.
type material struct {
	cert tls.Certificate
	// peers and clients verify peers' and clients' certificates (clients
	// is nil without ClientCA); accept is their union, what the TLS
	// handshake accepts.
	peers, clients, accept *x509.CertPool
	// digest identifies the files' content, to log whether a reload
	// changed anything.
	digest [sha256.Size]byte
}

// loadMaterial reads and checks files.
func loadMaterial(files NodeFiles) (*material, error) {
	if files.Cert == "" || files.Key == "" || files.PeerCA == "" {
		return nil, errors.New("TLS needs a certificate, its key and the peer CA (-cert, -key, -peer-ca)")
	}
	cert, err := tls.LoadX509KeyPair(files.Cert, files.Key)
	if err != nil {
		return nil, fmt.Errorf("certificate %s / key %s: %w", files.Cert, files.Key, err)
	}
	if !HasNodeMarker(cert.Leaf) {
		return nil, fmt.Errorf("certificate %s lacks the node marker (URI SAN %s): peers would refuse it", files.Cert, NodeMarker)
	}
	m := &material{cert: cert, accept: x509.NewCertPool()}
	digest := sha256.New()
	for _, f := range []string{files.Cert, files.Key, files.PeerCA, files.ClientCA} {
		b, _ := os.ReadFile(f)
		digest.Write(b)
		digest.Write([]byte{0})
	}
	copy(m.digest[:], digest.Sum(nil))
	if m.peers, err = loadPool(files.PeerCA, m.accept); err != nil {
		return nil, err
	}
	if files.ClientCA != "" {
		if m.clients, err = loadPool(files.ClientCA, m.accept); err != nil {
			return nil, err
		}
	}
	if _, err := verify(cert.Leaf, cert.Certificate, m.peers, x509.ExtKeyUsageClientAuth); err != nil {
		return nil, fmt.Errorf("certificate %s does not chain to the peer CA %s as a client certificate (peers would refuse it): %w", files.Cert, files.PeerCA, err)
	}
	return m, nil
}

// loadPool reads the PEM certificates of path into a new pool, adding
// them to also.
func loadPool(path string, also *x509.CertPool) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) || !also.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", path)
	}
	return pool, nil
}

// HasNodeMarker reports whether cert carries the URI SAN NodeMarker.
func HasNodeMarker(cert *x509.Certificate) bool {
	return cert != nil && slices.ContainsFunc(cert.URIs, func(u *url.URL) bool { return u.String() == NodeMarker })
}

// verify verifies leaf (whose chain as presented is raw, leaf first)
// against roots for usage.
func verify(leaf *x509.Certificate, raw [][]byte, roots *x509.CertPool, usage x509.ExtKeyUsage) ([][]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, der := range raw[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			inter.AddCert(c)
		}
	}
	return leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}})
}

// sameDigest reports whether a and b were loaded from identical files.
func sameDigest(a, b *material) bool { return bytes.Equal(a.digest[:], b.digest[:]) }
