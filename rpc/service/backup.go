package service

import (
	"io"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// Backup streams the state machine's backup of the user's database (see
// statemachine.StateMachine.Backup) in chunks of ChunkBytes; the first
// chunk carries the applied index and the file's size.
func (s *Server) Backup(req *resqlitepb.BackupRequest, stream resqlitepb.ReSqlite_BackupServer) error {
	ctx := stream.Context()
	if _, err := s.readGate(ctx, resqlitepb.Consistency_CONSISTENCY_LOCAL, req.GetMinIndex()); err != nil {
		return err
	}
	w := &backupWriter{stream: stream}
	_, err := s.cfg.State.Backup(ctx, func(applied uint64, size int64) io.Writer {
		w.first = &resqlitepb.BackupChunk{AppliedIndex: applied, Size: size}
		return w
	})
	if err == nil {
		err = w.flushFirst()
	}
	if err != nil {
		return s.dumpError(ctx, err)
	}
	return nil
}

// backupWriter sends what is written to it in chunks of at most
// ChunkBytes; the first chunk carries the header.
type backupWriter struct {
	stream resqlitepb.ReSqlite_BackupServer
	first  *resqlitepb.BackupChunk
}

func (w *backupWriter) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		n := min(len(p), ChunkBytes)
		chunk := w.first
		w.first = nil
		if chunk == nil {
			chunk = &resqlitepb.BackupChunk{}
		}
		// gRPC may read a sent message later: the chunk gets its own copy.
		chunk.Data = append([]byte(nil), p[:n]...)
		if err := w.stream.Send(chunk); err != nil {
			return 0, &sendError{err}
		}
		p = p[n:]
	}
	return total, nil
}

// flushFirst sends the header when the file was empty.
func (w *backupWriter) flushFirst() error {
	if w.first == nil {
		return nil
	}
	chunk := w.first
	w.first = nil
	return w.stream.Send(chunk)
}
