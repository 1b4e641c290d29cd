package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FormatFile, in a node's data directory, holds the version of the
// directory's format as a decimal number on one line. Start refuses a
// directory of a newer format than DataFormat and upgrades an older one
// in place.
const FormatFile = "FORMAT"

// DataFormat is the format of the data directories this build writes:
//
//	1  (no FORMAT file) the layout before the format was versioned
//	2  the state machine records the term of its applied entry (its meta
//	   table has the applied_term column), so a node that crashed while
//	   installing a snapshot can repair its log at start-up
//
// A directory of format 1 is upgraded when it is opened: the state
// machine adds the column (term unknown until the next apply) and FORMAT
// is written.
const DataFormat = 2

// readFormat returns the format version of the data directory dir: 1 when
// it has no FORMAT file (a directory of the first layout, or a new one).
func readFormat(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, FormatFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read format version: %w", err)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%s holds %q, not a format version", filepath.Join(dir, FormatFile), strings.TrimSpace(string(b)))
	}
	return v, nil
}

// checkFormat refuses a data directory of a newer format than this build's.
func checkFormat(dir string) (int, error) {
	v, err := readFormat(dir)
	if err != nil {
		return 0, fmt.Errorf("%w: data directory %s: %w", ErrConfig, dir, err)
	}
	if v > DataFormat {
		return 0, fmt.Errorf("%w: data directory %s has format version %d, this resqlite reads versions up to %d: run a newer resqlite", ErrConfig, dir, v, DataFormat)
	}
	return v, nil
}

// writeFormat records DataFormat in dir durably (writeFileDurably).
func writeFormat(dir string) error {
	if err := writeFileDurably(filepath.Join(dir, FormatFile), fmt.Appendf(nil, "%d\n", DataFormat)); err != nil {
		return fmt.Errorf("write format version: %w", err)
	}
	return nil
}
