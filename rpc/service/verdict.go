package service

import (
	"context"

	"github.com/resqlite/resqlite/rpc/wire"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// verdictTrailer marks an error as the node's own (see wire.VerdictTrailer).
var verdictTrailer = metadata.Pairs(wire.VerdictTrailer, "1")

// UnaryInterceptor marks the errors of unary handlers with
// wire.VerdictTrailer.
func UnaryInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		grpc.SetTrailer(ctx, verdictTrailer)
	}
	return resp, err
}

// StreamInterceptor marks the errors of streaming handlers with
// wire.VerdictTrailer.
func StreamInterceptor(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	err := handler(srv, ss)
	if err != nil {
		ss.SetTrailer(verdictTrailer)
	}
	return err
}
