// Package rpc holds no code of its own: its directory is ReSqlite's
// network layer, split by role into sub-packages.
//
//	raft.proto, resqlite.proto  the gRPC definitions (scripts/gen-proto.sh
//	                            regenerates rpc/raftpb and rpc/resqlitepb)
//	rpc/transport  the Raft transport between nodes (Raft service, peers)
//	rpc/service    the ReSqlite client service a node serves
//	rpc/client     the Go client of the ReSqlite service (and, in
//	               rpc/client/sqldriver, its database/sql driver)
//	rpc/wire       conversions between the client protocol and
//	               statemachine/sqlval, shared by service and client
//	rpc/node       the assembly of one node
//	rpc/rpctest    the cluster test harness (tests only)
package rpc
