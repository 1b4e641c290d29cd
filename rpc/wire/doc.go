// Package wire is the hand-written side of the client protocol
// (rpc/resqlite.proto): the conversions between the shared types of
// sqlval and the generated messages of rpc/resqlitepb, and the key of the
// trailer that marks an error as the node's own verdict (VerdictTrailer),
// used by the client service (rpc/service) and the Go client (rpc/client)
// alike.
//
// It depends only on sqlval and the generated stubs, so the generated
// package stays generated (scripts/gen-proto.sh owns it) and the client
// links nothing of the server.
package wire
