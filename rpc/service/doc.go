// Package service owns the server side of the ReSqlite client service
// (rpc/resqlite.proto): it turns Execute and Session writes into Raft
// proposals (after the state machine's determinism pre-check), forwards
// them to the leader when this node is a follower, serves reads at the
// requested consistency level from the local database, and answers the
// cluster administration calls (status, membership, snapshots, leadership
// transfer, digest, dump).
//
// Error codes follow the contract in resqlite.proto: UNAVAILABLE means
// nothing was proposed, ABORTED means a write's outcome is unknown, and a
// statement's SQL error travels as a SqlError in the response.
package service
