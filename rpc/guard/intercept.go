package guard

import (
	"context"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Unary checks a unary call (and an Execute's statements) before it runs.
func (g *Guard) Unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, c, err := g.check(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	if c.id.Perms != auth.AllPerms && g.ruleFor(info.FullMethod).Access == ByStatement {
		if r, ok := req.(*resqlitepb.ExecuteRequest); ok {
			if err := g.checkRequest(ctx, info.FullMethod, c, entryPerms(r.GetStatements())); err != nil {
				return nil, err
			}
		}
	}
	return handler(ctx, req)
}

// Stream checks a streaming call before it runs, and each request of a
// Session as it arrives; it applies MaxSessions.
func (g *Guard) Stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, c, err := g.check(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	switch info.FullMethod {
	case resqliteService + "Session":
		if n := g.sessions.Add(1); g.cfg.MaxSessions > 0 && n > int64(g.cfg.MaxSessions) {
			g.sessions.Add(-1)
			return status.Errorf(codes.ResourceExhausted, "this node has its maximum of %d open sessions (-max-sessions)", g.cfg.MaxSessions)
		}
		defer g.sessions.Add(-1)
	}
	return handler(srv, &guardedStream{ServerStream: ss, ctx: ctx, g: g, c: c, method: info.FullMethod})
}

// checkRequest checks that the caller c has need for one request.
func (g *Guard) checkRequest(ctx context.Context, method string, c caller, need auth.Perm) error {
	if err := allowedPerms(method, c.id, need); err != nil {
		g.refused(ctx, method, c, err)
		return err
	}
	return nil
}

// guardedStream carries the caller's identity and checks each Session
// request.
type guardedStream struct {
	grpc.ServerStream
	ctx    context.Context
	g      *Guard
	c      caller
	method string
}

func (s *guardedStream) Context() context.Context { return s.ctx }

func (s *guardedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	req, ok := m.(*resqlitepb.SessionRequest)
	if !ok || s.c.id.Perms == auth.AllPerms {
		return nil
	}
	need := auth.PermRead
	if w := req.GetWrite(); w != nil {
		need = entryPerms(w.GetStatements())
	}
	return s.g.checkRequest(s.ctx, s.method, s.c, need)
}

// ForwardDialOptions are the dial options of a node's forwarding to the
// leader: with TLS its calls carry the identity the guard verified (the
// leader trusts it from a node's certificate only); without TLS, the
// client's credentials, which the leader verifies again.
func (g *Guard) ForwardDialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			return invoker(g.outgoing(ctx), method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			return streamer(g.outgoing(ctx), desc, cc, method, opts...)
		}),
	}
}

// outgoing adds the verified identity of the call ctx serves to a call
// made on its behalf.
func (g *Guard) outgoing(ctx context.Context) context.Context {
	id, ok := IdentityFrom(ctx)
	if !ok {
		return ctx
	}
	if g.cfg.TLS != nil {
		return metadata.AppendToOutgoingContext(ctx, ForwardedKey, formatForwarded(id))
	}
	in, _ := metadata.FromIncomingContext(ctx)
	if v := first(in, auth.MetadataKey); v != "" {
		return metadata.AppendToOutgoingContext(ctx, auth.MetadataKey, v)
	}
	return ctx
}
