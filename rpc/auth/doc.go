// Package auth is ReSqlite's user authentication: the auth file (a JSON
// array of users with bcrypt-hashed passwords and permissions), the
// Authenticator built from it, the Identity a request runs as, and the
// basic-auth credentials clients send as gRPC per-RPC metadata.
//
// It imports nothing of the server, so any listener of a node (the gRPC
// port, a metrics or pprof HTTP listener) can check a user's permission:
//
//	a, err := auth.LoadFile(path)             // or auth.Parse(data)
//	id, err := a.Authenticate(user, password) // ErrUnauthenticated
//	if !id.Allowed(auth.PermStatus) { ... }   // e.g. /metrics; pprof: PermAdmin
package auth
