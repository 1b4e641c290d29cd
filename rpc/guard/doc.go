// Package guard decides, at the node that receives a gRPC call, whether
// the caller may make it: Raft RPCs and node-only calls need a node's
// certificate (when the node runs TLS), the client service's calls need
// the permission the table in rules.go names (when the node has an auth
// file). Forwarded calls carry the verified identity to the leader over
// the mutual-TLS channel between nodes.
//
// It also applies the limits that protect a node from its clients: the
// number of open sessions and the timeout of a read.
package guard
