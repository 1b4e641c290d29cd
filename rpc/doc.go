// Package rpc owns ReSqlite's network layer: the gRPC definitions in
// raft.proto (generated code in rpc/raftpb), the conversion between those
// messages and raft.Message, and Transport, which implements raft.Transport
// over one long-lived gRPC connection per peer and serves the Raft service
// to deliver incoming messages to the local node.
package rpc
