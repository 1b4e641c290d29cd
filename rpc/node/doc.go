// Package node assembles one running ReSqlite node: the durable Raft
// log (raft/wal) and the SQLite state machine (statemachine) in the node's
// data directory, the Raft node driver (raft.Node), the Raft transport
// (rpc/transport) and the client service (rpc/service), all served on one
// gRPC port together with gRPC health checking and server reflection.
//
// A node's data directory holds:
//
//	FORMAT        the directory's format version (see DataFormat)
//	cluster.json  the cluster id and the bootstrap member list
//	raft/         the write-ahead log and snapshots (locked while in use)
//	state/        the SQLite database
//	spool/        snapshots in transit
//
// A node either founds a cluster (Config.Peers lists every founding
// member, itself included), restarts from its data (the stored
// configuration wins), or joins a running cluster through one of its
// members (Config.Join): it learns the cluster id and members from that
// member, starts empty, and asks for itself to be added as a learner and
// promoted to voter once caught up.
package node
