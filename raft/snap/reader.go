package snap

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/resqlite/resqlite/raft"
)

// ErrCorrupt is wrapped by every error that reports a damaged snapshot
// file.
var ErrCorrupt = errors.New("snap: corrupt snapshot")

// Reader streams the data of a snapshot file. Meta is known as soon as the
// file is opened; Read returns ErrCorrupt at the end of the data if its
// checksum does not match.
type Reader struct {
	// Meta is the snapshot's metadata, read from the file's trailer.
	Meta raft.SnapshotMeta
	// Size is the length of the data in bytes.
	Size int64

	f    *os.File
	r    *io.SectionReader
	crc  uint32
	want uint32
}

// Open opens the snapshot file at path and validates its header, trailer
// and metadata.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("snap: open: %w", err)
	}
	r, err := newReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

func newReader(f *os.File) (*Reader, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("snap: stat: %w", err)
	}
	size := st.Size()
	if size < int64(headerSize+trailerSize) {
		return nil, fmt.Errorf("%w: file of %d bytes is too short", ErrCorrupt, size)
	}
	head := make([]byte, headerSize)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("snap: read header: %w", err)
	}
	if string(head) != headerMagic {
		return nil, fmt.Errorf("%w: bad header magic at offset 0", ErrCorrupt)
	}
	tb := make([]byte, trailerSize)
	if _, err := f.ReadAt(tb, size-trailerSize); err != nil {
		return nil, fmt.Errorf("snap: read trailer: %w", err)
	}
	tr, ok := decodeTrailer(tb)
	if !ok {
		return nil, fmt.Errorf("%w: bad trailer at offset %d", ErrCorrupt, size-trailerSize)
	}
	if tr.metaLen > maxMetaSize || tr.dataLen > uint64(size) ||
		uint64(headerSize)+tr.dataLen+uint64(tr.metaLen)+trailerSize != uint64(size) {
		return nil, fmt.Errorf("%w: trailer lengths (data %d, metadata %d) do not match file size %d",
			ErrCorrupt, tr.dataLen, tr.metaLen, size)
	}
	metaOff := int64(headerSize) + int64(tr.dataLen)
	mb := make([]byte, tr.metaLen)
	if _, err := f.ReadAt(mb, metaOff); err != nil {
		return nil, fmt.Errorf("snap: read metadata: %w", err)
	}
	if crc32.Checksum(mb, castagnoli) != tr.metaCRC {
		return nil, fmt.Errorf("%w: metadata checksum mismatch at offset %d", ErrCorrupt, metaOff)
	}
	meta, err := DecodeMeta(mb)
	if err != nil {
		return nil, fmt.Errorf("%w: metadata at offset %d: %v", ErrCorrupt, metaOff, err)
	}
	return &Reader{
		Meta: meta,
		Size: int64(tr.dataLen),
		f:    f,
		r:    io.NewSectionReader(f, int64(headerSize), int64(tr.dataLen)),
		want: tr.dataCRC,
	}, nil
}

// Read reads snapshot data.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.crc = crc32.Update(r.crc, castagnoli, p[:n])
	if err == io.EOF && r.crc != r.want {
		return n, fmt.Errorf("%w: %s: data checksum mismatch", ErrCorrupt, r.f.Name())
	}
	return n, err
}

// Close releases the file.
func (r *Reader) Close() error { return r.f.Close() }

// Verify reads the whole data section of the snapshot at path and checks
// its checksum.
func Verify(path string) (raft.SnapshotMeta, error) {
	r, err := Open(path)
	if err != nil {
		return raft.SnapshotMeta{}, err
	}
	defer r.Close()
	if _, err := io.Copy(io.Discard, r); err != nil {
		return raft.SnapshotMeta{}, err
	}
	return r.Meta, nil
}
