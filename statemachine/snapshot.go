package statemachine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"

	"modernc.org/sqlite"

	sqlite3 "modernc.org/sqlite/lib"
)

// snapshotMagic starts every snapshot stream.
const snapshotMagic = "RSQLSNP1"

// ErrBadSnapshot is wrapped by Restore's errors about the stream itself.
var ErrBadSnapshot = errors.New("statemachine: malformed snapshot")

// Snapshot writes a consistent copy of the database to w and returns the
// applied index it reflects. The copy is taken by SQLite's backup API from
// a read connection inside one read transaction, so apply and queries go
// on meanwhile. The stream is:
//
//	"RSQLSNP1", applied index u64, config index u64,
//	config length u32, config bytes, database length u64, database bytes,
//	CRC-32C of everything before it u32 (integers little-endian)
func (sm *StateMachine) Snapshot(w io.Writer) (uint64, error) {
	r, err := sm.acquireReader(context.Background())
	if err != nil {
		return 0, err
	}
	defer sm.releaseReader(r)
	tmp, err := os.CreateTemp(sm.dir, "snapshot-*.db")
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer removeDatabase(tmpPath)

	applied, cfgIndex, cfg, err := r.copyTo(tmpPath)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	f, err := os.Open(tmpPath)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	crc := crc32.New(crcTable())
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	var hdr []byte
	hdr = append(hdr, snapshotMagic...)
	hdr = binary.LittleEndian.AppendUint64(hdr, applied)
	hdr = binary.LittleEndian.AppendUint64(hdr, cfgIndex)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(cfg)))
	hdr = append(hdr, cfg...)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(st.Size()))
	if _, err := bw.Write(hdr); err != nil {
		return 0, fmt.Errorf("snapshot: write: %w", err)
	}
	if n, err := io.Copy(bw, f); err != nil || n != st.Size() {
		return 0, fmt.Errorf("snapshot: copy %d of %d bytes: %v", n, st.Size(), err)
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("snapshot: write: %w", err)
	}
	if _, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32())); err != nil {
		return 0, fmt.Errorf("snapshot: write: %w", err)
	}
	return applied, nil
}

// copyTo copies the database into the file at path with the backup API,
// inside one read transaction that also reads the meta table.
func (r *reader) copyTo(path string) (applied, cfgIndex uint64, cfg []byte, err error) {
	r.pol.reset(modeInternal)
	if err := r.c.exec("BEGIN"); err != nil {
		return 0, 0, nil, err
	}
	defer r.c.exec("ROLLBACK")
	applied, cfgIndex, cfg, err = readMetaOn(r.c)
	if err != nil {
		return 0, 0, nil, err
	}
	bk, ok := r.c.drv.(backuper)
	if !ok {
		return 0, 0, nil, errors.New("modernc.org/sqlite connection has no backup API")
	}
	b, err := bk.NewBackup(path)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := b.Step(-1); err != nil {
		b.Finish()
		return 0, 0, nil, fmt.Errorf("backup: %w", err)
	}
	if err := b.Finish(); err != nil {
		return 0, 0, nil, fmt.Errorf("backup: %w", err)
	}
	return applied, cfgIndex, cfg, nil
}

// readMetaOn reads the meta table on c.
func readMetaOn(c *conn) (applied, cfgIndex uint64, cfg []byte, err error) {
	stmt, _, err := c.prepare("SELECT applied_index, config_index, config FROM " + MetaTable + " WHERE id = 1")
	if err != nil {
		return 0, 0, nil, fmt.Errorf("read %s: %w", MetaTable, err)
	}
	defer c.finalize(stmt)
	if rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc != sqlite3.SQLITE_ROW {
		return 0, 0, nil, fmt.Errorf("read %s: %w", MetaTable, c.lastError(rc))
	}
	row := c.row(stmt, 3)
	if row[0].Type != TypeInteger || row[1].Type != TypeInteger || row[0].Int < 0 || row[1].Int < 0 {
		return 0, 0, nil, fmt.Errorf("read %s: bad row %v", MetaTable, row)
	}
	if row[2].Type == TypeBlob {
		cfg = row[2].Blob
	}
	return uint64(row[0].Int), uint64(row[1].Int), cfg, nil
}

// Restore replaces the whole database with the snapshot read from r. The
// stream is read and checked completely (into a temporary file) before
// anything changes; the database is then replaced through the backup API
// on the apply connection, so no file is renamed under open connections
// and read connections see the new content at their next transaction.
func (sm *StateMachine) Restore(r io.Reader) error {
	tmp, err := os.CreateTemp(sm.dir, "restore-*.db")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmpPath := tmp.Name()
	defer removeDatabase(tmpPath)
	applied, cfgIndex, cfg, err := readSnapshot(r, tmp)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}

	if err := checkSnapshotDatabase(tmpPath, applied); err != nil {
		return fmt.Errorf("restore: %w", err)
	}

	// Reads of the database being replaced end now, with a clear error,
	// instead of pinning it (and the WAL) while their clients read on.
	sm.cancelReads()
	sm.applyMu.Lock()
	defer sm.applyMu.Unlock()
	if err := sm.writable(); err != nil {
		return err
	}
	meta, touched, err := sm.replaceDatabase(tmpPath)
	switch {
	case err != nil && !touched:
		return fmt.Errorf("restore: %w", err)
	case err != nil:
		return sm.halt(fmt.Errorf("restore: %w", err))
	case meta.applied != applied || meta.cfgIndex != cfgIndex || !bytes.Equal(meta.cfg, cfg):
		return sm.halt(fmt.Errorf("restore: database records index %d, snapshot header %d", meta.applied, applied))
	}
	sm.publish(applied, meta.term, cfgIndex, cfg)
	sm.log.Info("restored snapshot", "index", applied)
	return nil
}

// dbMeta is what a database's MetaTable records.
type dbMeta struct {
	applied, term, cfgIndex uint64
	cfg                     []byte
}

// replaceDatabase replaces the database, through the backup API on the
// apply connection, with the database file at path, and returns what its
// MetaTable records. touched reports that the database may have changed
// (the caller then halts on an error). The caller holds applyMu.
func (sm *StateMachine) replaceDatabase(path string) (meta dbMeta, touched bool, err error) {
	w := sm.w
	w.dropCaches()
	bk, ok := w.c.drv.(backuper)
	if !ok {
		return dbMeta{}, false, errors.New("modernc.org/sqlite connection has no backup API")
	}
	b, err := bk.NewRestore(path)
	if err != nil {
		return dbMeta{}, false, err
	}
	if _, err := b.Step(-1); err != nil {
		b.Finish()
		return dbMeta{}, true, fmt.Errorf("backup: %w", err)
	}
	if err := b.Finish(); err != nil {
		return dbMeta{}, true, fmt.Errorf("backup: %w", err)
	}
	if err := errors.Join(w.upgradeRestored(), sm.loadRules()); err != nil {
		return dbMeta{}, true, err
	}
	if meta.applied, meta.cfgIndex, meta.cfg, err = w.readMeta(); err != nil {
		return dbMeta{}, true, err
	}
	if meta.term, err = readAppliedTerm(w.c); err != nil {
		return dbMeta{}, true, err
	}
	return meta, true, nil
}

// checkSnapshotDatabase opens the received database (a private temporary
// file) and checks that it is an SQLite database whose meta table records
// applied and where no user object has an internal table's name. A database from a node of data format 1 gets the applied term's
// column (unknown term) before it replaces ours.
func checkSnapshotDatabase(path string, applied uint64) error {
	c, err := openConn(&sqlite.Driver{}, path)
	if err != nil {
		return err
	}
	defer c.close()
	if err := addAppliedTerm(c); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSnapshot, err)
	}
	if _, err := checkInternalNames(c); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSnapshot, err)
	}
	got, _, _, err := readMetaOn(c)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSnapshot, err)
	}
	if got != applied {
		return fmt.Errorf("%w: database records index %d, header %d", ErrBadSnapshot, got, applied)
	}
	return nil
}

// readSnapshot parses a snapshot stream, writing the database bytes to f,
// and checks its checksum.
func readSnapshot(r io.Reader, f *os.File) (applied, cfgIndex uint64, cfg []byte, err error) {
	crc := crc32.New(crcTable())
	br := bufio.NewReaderSize(r, 1<<16)
	tr := io.TeeReader(br, crc)
	var hdr [len(snapshotMagic) + 8 + 8 + 4]byte
	if _, err := io.ReadFull(tr, hdr[:]); err != nil {
		return 0, 0, nil, fmt.Errorf("%w: header: %v", ErrBadSnapshot, err)
	}
	if string(hdr[:len(snapshotMagic)]) != snapshotMagic {
		return 0, 0, nil, fmt.Errorf("%w: bad magic", ErrBadSnapshot)
	}
	p := hdr[len(snapshotMagic):]
	applied = binary.LittleEndian.Uint64(p)
	cfgIndex = binary.LittleEndian.Uint64(p[8:])
	cfgLen := binary.LittleEndian.Uint32(p[16:])
	if cfgLen > 1<<26 {
		return 0, 0, nil, fmt.Errorf("%w: configuration of %d bytes", ErrBadSnapshot, cfgLen)
	}
	if cfgLen > 0 {
		cfg = make([]byte, cfgLen)
		if _, err := io.ReadFull(tr, cfg); err != nil {
			return 0, 0, nil, fmt.Errorf("%w: configuration: %v", ErrBadSnapshot, err)
		}
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(tr, lenBuf[:]); err != nil {
		return 0, 0, nil, fmt.Errorf("%w: database length: %v", ErrBadSnapshot, err)
	}
	dbLen := binary.LittleEndian.Uint64(lenBuf[:])
	if n, err := io.CopyN(f, tr, int64(dbLen)); err != nil {
		return 0, 0, nil, fmt.Errorf("%w: database: %d of %d bytes: %v", ErrBadSnapshot, n, dbLen, err)
	}
	if err := f.Sync(); err != nil {
		return 0, 0, nil, err
	}
	return applied, cfgIndex, cfg, checkTrailer(br, crc)
}

func checkTrailer(r io.Reader, crc hash.Hash32) error {
	var sum [4]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil {
		return fmt.Errorf("%w: checksum: %v", ErrBadSnapshot, err)
	}
	if binary.LittleEndian.Uint32(sum[:]) != crc.Sum32() {
		return fmt.Errorf("%w: checksum mismatch", ErrBadSnapshot)
	}
	return nil
}

// removeDatabase removes a temporary database file and its -wal, -shm and
// -journal companions.
func removeDatabase(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}
