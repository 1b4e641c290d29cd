package wire

// VerdictTrailer is the trailer key set on every error a ReSqlite handler
// returns itself. A client that gets an error without it knows the error
// came from the network or gRPC, not from the node, so a write it sent
// has an unknown outcome; with it, the status code is the node's verdict
// (UNAVAILABLE: nothing was proposed; ABORTED: outcome unknown).
const VerdictTrailer = "resqlite-verdict"
