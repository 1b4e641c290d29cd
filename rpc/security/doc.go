// Package security holds a node's TLS material: its certificate, the CA
// its peers' certificates chain to (-peer-ca) and, optionally, the CA of
// client certificates (-client-ca). The material is reloadable (SIGHUP)
// and is read through callbacks, so connections made after a reload use
// the new files.
//
// A peer is a node only if its certificate chains to the peer CA and
// carries the node marker, the URI SAN resqlite:node (NodeMarker), so a
// client certificate can never speak as a node, even when one CA signs
// both kinds.
package security
