package client

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// securityDialOptions are the dial options of Options.TLS and the
// credentials.
func (o *Options) securityDialOptions() []grpc.DialOption {
	var opts []grpc.DialOption
	if o.TLS != nil {
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(o.TLS)))
	}
	if o.User != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(basicCredentials{
			header: auth.BasicHeader(o.User, o.Password), requireTLS: !o.PlaintextCredentials,
		}))
	}
	return opts
}

// checkSecurity refuses to send credentials over plaintext unless
// PlaintextCredentials allows it.
func (o *Options) checkSecurity() error {
	if o.User != "" && o.TLS == nil && !o.PlaintextCredentials {
		return errors.New("client: a password is sent only over TLS (-tls); -auth-plaintext allows plaintext")
	}
	return nil
}

// basicCredentials sends a user's basic-auth credentials on every call.
type basicCredentials struct {
	header     string
	requireTLS bool
}

func (b basicCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{auth.MetadataKey: b.header}, nil
}

func (b basicCredentials) RequireTransportSecurity() bool { return b.requireTLS }

// explainConn says, in one line, why conn could not connect, from the
// error of a call that fails fast on it (with a hint for TLS mismatches).
func explainConn(ctx context.Context, conn *grpc.ClientConn, usesTLS bool) string {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	_, err := resqlitepb.NewReSqliteClient(conn).Status(ctx, &resqlitepb.StatusRequest{})
	if err == nil {
		return "not reachable"
	}
	msg := status.Convert(err).Message()
	switch {
	case strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "the node does not use TLS: connect without -tls"
	case !usesTLS && (strings.Contains(msg, "server preface") || strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset")):
		return "the node closed the connection during setup: it may require TLS (-tls, -ca)"
	case strings.Contains(msg, "x509:") || strings.Contains(msg, "certificate"):
		return "TLS: " + tlsHint(msg)
	}
	return "not reachable (" + msg + ")"
}

// tlsHint explains a certificate error.
func tlsHint(msg string) string {
	switch {
	case strings.Contains(msg, "unknown authority"):
		return "the node's certificate is not signed by the CA you trust (-ca): " + lastPart(msg)
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "bad certificate"), strings.Contains(msg, "unknown certificate authority"):
		return "the node refused the client certificate, or requires one (-cert, -key): " + lastPart(msg)
	}
	return lastPart(msg)
}

// lastPart returns the innermost part of a chain of "a: b: c" errors.
func lastPart(msg string) string {
	if i := strings.LastIndex(msg, "x509: "); i >= 0 {
		return strings.TrimSuffix(msg[i:], "\"")
	}
	if i := strings.LastIndex(msg, "tls: "); i >= 0 {
		return strings.TrimSuffix(msg[i:], "\"")
	}
	return msg
}

// isRefusal reports whether err is the node refusing the caller's
// credentials or certificate.
func isRefusal(err error) bool {
	c := status.Code(err)
	return c == codes.Unauthenticated || c == codes.PermissionDenied
}
