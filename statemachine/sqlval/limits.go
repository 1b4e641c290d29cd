package sqlval

// MaxMessageSize is the largest gRPC message a ReSqlite process sends or
// accepts, on the Raft transport and on the client service alike (and so
// the largest a client sends or accepts): the documented limits of
// rpc/resqlite.proto (entries, chunks) stay well under it.
const MaxMessageSize = 64 << 20
