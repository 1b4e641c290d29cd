package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// segment is one file of the log.
type segment struct {
	seq  uint64
	path string
	f    *os.File
	// size is the file's length (space claimed); end is the offset after
	// the last record, where the next append goes.
	size int64
	end  int64
	// maxIndex is the highest entry index this segment holds a record
	// for; once a snapshot covers it, the segment is no longer needed.
	maxIndex uint64
}

const (
	segmentSuffix = ".wal"
	tempSuffix    = ".tmp"
)

func segmentName(seq uint64) string { return fmt.Sprintf("%016x%s", seq, segmentSuffix) }

// listSegments returns the sequence numbers of the segments in dir in
// order, removing temp files a crash during segment creation left.
func listSegments(dir string, ops fileOps) ([]uint64, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wal: list %s: %w", dir, err)
	}
	var seqs []uint64
	removed := false
	for _, de := range des {
		name := de.Name()
		if strings.HasSuffix(name, segmentSuffix+tempSuffix) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return nil, fmt.Errorf("wal: remove leftover %s: %w", name, err)
			}
			removed = true
			continue
		}
		var seq uint64
		if len(name) != 16+len(segmentSuffix) || !strings.HasSuffix(name, segmentSuffix) {
			continue
		}
		if _, err := fmt.Sscanf(name, "%016x.wal", &seq); err != nil || segmentName(seq) != name {
			continue
		}
		seqs = append(seqs, seq)
	}
	if removed {
		if err := ops.syncDir(dir); err != nil {
			return nil, err
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs, nil
}

// createSegment makes a new segment durable under its final name: a temp
// file gets its space claimed and the header record written, is fsynced,
// renamed, and the directory fsynced. A failure to claim space (a full
// disk) returns an error with nothing changed; fatal reports whether a
// later failure left the store unusable.
func createSegment(dir string, seq uint64, size int64, header []byte, ops fileOps) (seg *segment, fatal bool, err error) {
	final := filepath.Join(dir, segmentName(seq))
	tmp := final + tempSuffix
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("wal: create segment: %w", err)
	}
	if err := ops.preallocate(f, size); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, false, fmt.Errorf("wal: claim %d bytes for segment %s: %w", size, final, err)
	}
	fail := func(err error) (*segment, bool, error) {
		f.Close()
		os.Remove(tmp)
		return nil, true, err
	}
	if _, err := f.WriteAt(header, 0); err != nil {
		return fail(fmt.Errorf("wal: write segment header %s: %w", tmp, err))
	}
	if err := ops.sync(f); err != nil {
		return fail(fmt.Errorf("wal: fsync %s: %w", tmp, err))
	}
	if err := os.Rename(tmp, final); err != nil {
		return fail(fmt.Errorf("wal: rename %s: %w", tmp, err))
	}
	if err := ops.syncDir(dir); err != nil {
		f.Close()
		return nil, true, err
	}
	return &segment{seq: seq, path: final, f: f, size: size, end: int64(len(header))}, false, nil
}
