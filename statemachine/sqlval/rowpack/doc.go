// Package rowpack owns the packed form of a chunk of result rows: the
// bytes a streamed read's rows travel in between the node and the client
// (QueryResponse.packed_rows in rpc/resqlite.proto), instead of one
// protobuf message per row and per value.
//
// A chunk is self-describing:
//
//	byte 0      format version (1)
//	bytes 1..4  row count, uint32 little-endian
//	uvarint     column count
//	cells       row by row, each a type tag byte and its payload:
//	            0 NULL      (nothing)
//	            1 INTEGER   zigzag varint
//	            2 REAL      8 bytes, IEEE 754 bits little-endian
//	            3 TEXT      uvarint length, the bytes as they are
//	            4 BLOB      uvarint length, the bytes as they are
//
// Every value round-trips exactly: all int64s, every REAL bit pattern
// (-0.0 and the infinities included), TEXT with any bytes (invalid UTF-8,
// NULs), an empty BLOB apart from NULL. The Encoder appends to a caller's
// buffer without allocating per cell; the Decoder hands out TEXT and BLOB
// as sub-slices of the chunk, so a chunk's bytes must not be changed while
// values decoded from it are in use.
//
// It imports only sqlval, so the state machine (which encodes straight
// from SQLite's columns), the client service and the clients share it
// without linking each other.
package rowpack
