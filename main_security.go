package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/chzyer/readline"
	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/rpc/security"
	"google.golang.org/grpc"
)

// PasswordEnv holds the password of -user for scripts (no prompt).
const PasswordEnv = "RESQLITE_PASSWORD"

// secFlags are the flags of TLS, authentication and the limits.
type secFlags struct {
	cert, key, peerCA, clientCA string
	auth                        string
	authPlaintext               bool
	maxSessions                 int
	maxInflight                 uint
	queryTimeout                time.Duration
	streamIdleLimit             time.Duration
	tls                         bool
	ca                          string
	user                        string
}

// register defines the security flags into fs.
func (s *secFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.cert, "cert", "", "this node's certificate `file` (PEM; with -connect: the client certificate)")
	fs.StringVar(&s.key, "key", "", "the private key `file` of -cert")
	fs.StringVar(&s.peerCA, "peer-ca", "", "the CA `file` the peers' certificates chain to (required with -cert on a node)")
	fs.StringVar(&s.clientCA, "client-ca", "", "require client certificates chaining to the CA in `file`")
	fs.StringVar(&s.auth, "auth", "", "the auth `file`: users (bcrypt hashes from resqlite passwd) and their permissions")
	fs.BoolVar(&s.authPlaintext, "auth-plaintext", false, "accept (node) or send (-connect) passwords over plaintext connections")
	fs.IntVar(&s.maxSessions, "max-sessions", 0, "the most open client sessions (Session streams) this node serves (0: no limit)")
	fs.UintVar(&s.maxInflight, "max-inflight", 0, "the most requests in flight on one connection (0: gRPC's default)")
	fs.DurationVar(&s.queryTimeout, "query-timeout", 0, "bound each read statement on this node (a Go `duration`; 0: none)")
	fs.DurationVar(&s.streamIdleLimit, "stream-idle-limit", 0, "cancel a streamed read whose client takes no rows for this `duration`, so it cannot pin the WAL (0: one minute)")
	fs.BoolVar(&s.tls, "tls", false, "-connect over TLS")
	fs.StringVar(&s.ca, "ca", "", "with -tls: the CA `file` the nodes' certificates chain to (default: the system's roots)")
	fs.StringVar(&s.user, "user", "", "with -connect: authenticate as `name` (password prompted, or from $RESQLITE_PASSWORD)")
}

// nodeSecurity loads the node's TLS material and auth file into cfg.
func (s *secFlags) nodeSecurity(cfg *node.Config, log *slog.Logger) error {
	if s.cert == "" && (s.key != "" || s.peerCA != "" || s.clientCA != "") {
		return errors.New("-key, -peer-ca and -client-ca go with -cert")
	}
	if s.cert != "" {
		t, err := security.LoadNode(security.NodeFiles{Cert: s.cert, Key: s.key, PeerCA: s.peerCA, ClientCA: s.clientCA}, log)
		if err != nil {
			return err
		}
		cfg.TLS = t
	}
	if s.auth != "" {
		if cfg.TLS == nil && !s.authPlaintext {
			return errors.New("-auth sends passwords: it needs TLS (-cert) or -auth-plaintext")
		}
		a, err := auth.LoadFile(s.auth)
		if err != nil {
			return err
		}
		cfg.Auth = a
	}
	cfg.AuthPlaintext = s.authPlaintext
	cfg.MaxSessions, cfg.MaxStreams, cfg.QueryTimeout = s.maxSessions, uint32(s.maxInflight), s.queryTimeout
	cfg.StreamIdleLimit = s.streamIdleLimit
	return nil
}

// clientOptions are the client options of -connect: TLS and credentials.
func (s *secFlags) clientOptions(stdin *os.File, stderr io.Writer) (client.Options, error) {
	var opts client.Options
	if !s.tls && (s.ca != "" || s.cert != "") {
		return opts, errors.New("-ca, -cert and -key go with -tls")
	}
	if s.tls {
		cfg, err := security.ClientConfig(security.ClientFiles{CA: s.ca, Cert: s.cert, Key: s.key})
		if err != nil {
			return opts, err
		}
		opts.TLS = cfg
	}
	opts.PlaintextCredentials = s.authPlaintext
	if s.user == "" {
		return opts, nil
	}
	pw, err := password(s.user, stdin, stderr)
	if err != nil {
		return opts, err
	}
	opts.User, opts.Password = s.user, pw
	return opts, nil
}

// password returns the password of user: $RESQLITE_PASSWORD, else read
// from the terminal without echo.
func password(user string, stdin *os.File, stderr io.Writer) (string, error) {
	if pw, ok := os.LookupEnv(PasswordEnv); ok {
		return pw, nil
	}
	fd := int(stdin.Fd())
	if !readline.IsTerminal(fd) {
		return "", fmt.Errorf("-user %s: no terminal to ask the password on: set %s", user, PasswordEnv)
	}
	pw, err := readSecret(stdin, fmt.Sprintf("Password for %s: ", user), stderr)
	if err != nil {
		return "", fmt.Errorf("-user %s: read password: %w", user, err)
	}
	return string(pw), nil
}

// localClientOptions are the options of the REPL on this process's own
// node: over TLS with the node's certificate (as the node) when the node
// has one, else as -user, if given, over plaintext (a node with -auth
// and no TLS has -auth-plaintext).
func (s *secFlags) localClientOptions(cfg node.Config, stdin *os.File, stderr io.Writer) (client.Options, error) {
	if cfg.TLS != nil {
		return client.Options{DialOptions: []grpc.DialOption{cfg.TLS.DialOption()}}, nil
	}
	if s.user == "" {
		return client.Options{}, nil
	}
	pw, err := password(s.user, stdin, stderr)
	if err != nil {
		return client.Options{}, err
	}
	return client.Options{User: s.user, Password: pw, PlaintextCredentials: true}, nil
}

// registerClientSecurity defines, into the flag set of a subcommand that
// connects to a cluster (backup, restore), the client's TLS and
// credential flags; clientOptions then builds its options.
func registerClientSecurity(fs *flag.FlagSet) *secFlags {
	s := &secFlags{}
	fs.BoolVar(&s.tls, "tls", false, "connect over TLS")
	fs.StringVar(&s.ca, "ca", "", "with -tls: the CA `file` the nodes' certificates chain to (default: the system's roots)")
	fs.StringVar(&s.cert, "cert", "", "with -tls: a client certificate `file` (PEM)")
	fs.StringVar(&s.key, "key", "", "the private key `file` of -cert")
	fs.StringVar(&s.user, "user", "", "authenticate as `name` (password prompted, or from $RESQLITE_PASSWORD)")
	fs.BoolVar(&s.authPlaintext, "auth-plaintext", false, "send the password over a plaintext connection")
	return s
}

// clientValueFlags are the flags of registerClientSecurity that take a
// value.
func clientValueFlags() []string { return []string{"ca", "cert", "key", "user"} }
