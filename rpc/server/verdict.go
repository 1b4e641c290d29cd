package server

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// VerdictTrailer is the trailer key set on every error a ReSqlite handler
// returns itself. A client that gets an error without it knows the error
// came from the network or gRPC, not from the node, so a write it sent
// has an unknown outcome; with it, the status code is the node's verdict
// (UNAVAILABLE: nothing was proposed; ABORTED: outcome unknown).
const VerdictTrailer = "resqlite-verdict"

// verdictTrailer marks an error as the node's own.
var verdictTrailer = metadata.Pairs(VerdictTrailer, "1")

// UnaryInterceptor marks the errors of unary handlers with VerdictTrailer.
func UnaryInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		grpc.SetTrailer(ctx, verdictTrailer)
	}
	return resp, err
}

// StreamInterceptor marks the errors of streaming handlers with
// VerdictTrailer.
func StreamInterceptor(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, ss)
	if err != nil {
		ss.SetTrailer(verdictTrailer)
	}
	return err
}
