package security

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// ClientFiles are a client's TLS files; all optional.
type ClientFiles struct {
	// CA is the CA (PEM) the nodes' certificates chain to; empty: the
	// system's roots.
	CA string
	// Cert and Key are a client certificate and its key, for nodes that
	// require one (-client-ca).
	Cert, Key string
}

// ClientConfig returns the TLS configuration of a client with files.
func ClientConfig(files ClientFiles) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if files.CA != "" {
		b, err := os.ReadFile(files.CA)
		if err != nil {
			return nil, fmt.Errorf("tls: CA file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("tls: CA file %s holds no PEM certificate", files.CA)
		}
	}
	if (files.Cert == "") != (files.Key == "") {
		return nil, errors.New("tls: a client certificate needs both -cert and -key")
	}
	if files.Cert != "" {
		cert, err := tls.LoadX509KeyPair(files.Cert, files.Key)
		if err != nil {
			return nil, fmt.Errorf("tls: client certificate %s / key %s: %w", files.Cert, files.Key, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
