package service

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Dump streams the state machine's dump of the database, or of the tables
// the request names, with the request's .dump options (see
// statemachine.StateMachine.Dump), in chunks of
// about ChunkBytes; the first chunk carries the applied index the dump was
// read at.
func (s *Server) Dump(req *resqlitepb.DumpRequest, stream resqlitepb.ReSqlite_DumpServer) error {
	ctx := stream.Context()
	if _, err := s.readGate(ctx, resqlitepb.Consistency_CONSISTENCY_LOCAL, req.GetMinIndex()); err != nil {
		return err
	}
	w := &chunkWriter{stream: stream}
	opts := statemachine.DumpOptions{
		Tables:         wire.Strings(req.GetTables()),
		DataOnly:       req.GetDataOnly(),
		NoSys:          req.GetNoSys(),
		Newlines:       req.GetNewlines(),
		PreserveRowids: req.GetPreserveRowids(),
	}
	_, err := s.cfg.State.Dump(ctx, opts, func(applied uint64) io.Writer {
		w.applied = applied
		return w
	})
	if err != nil {
		return s.dumpError(ctx, err)
	}
	return w.flush()
}

// dumpError turns an error of the state machine's Dump into a status.
func (s *Server) dumpError(ctx context.Context, err error) error {
	var sent *sendError
	switch {
	case errors.As(err, &sent):
		return sent.err
	case ctx.Err() != nil:
		return status.FromContextError(ctx.Err()).Err()
	case errors.Is(err, statemachine.ErrClosed):
		return status.Errorf(codes.Unavailable, "node %d is stopping", s.cfg.Node.ID())
	}
	return status.Errorf(codes.Internal, "node %d: %v", s.cfg.Node.ID(), err)
}

// sendError is a failed Send of the stream, which ends the dump.
type sendError struct{ err error }

func (e *sendError) Error() string { return "send: " + e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// chunkWriter sends what is written to it in chunks of about ChunkBytes.
type chunkWriter struct {
	stream  resqlitepb.ReSqlite_DumpServer
	applied uint64
	sent    bool
	buf     bytes.Buffer
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if w.buf.Len() >= ChunkBytes {
		if err := w.flush(); err != nil {
			return 0, &sendError{err}
		}
	}
	return len(p), nil
}

// flush sends what is buffered (always at least one chunk).
func (w *chunkWriter) flush() error {
	if w.buf.Len() == 0 && w.sent {
		return nil
	}
	// The chunk keeps the buffer's bytes (gRPC may read a sent message
	// later): the next chunk gets a new buffer.
	chunk := &resqlitepb.DumpChunk{Sql: w.buf.Bytes()}
	if !w.sent {
		chunk.AppliedIndex = w.applied
	}
	w.sent = true
	w.buf = bytes.Buffer{}
	return w.stream.Send(chunk)
}
