package repl

import (
	"fmt"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// blockStatementOverhead bounds what one statement adds to an encoded
// entry besides its text (field tags and lengths); blockEntryOverhead
// what the entry adds (kind, session, time, checksum). The client's own
// check is exact; this one only words the refusal of a block.
const (
	blockStatementOverhead = 8
	blockEntryOverhead     = 64
)

// oversizeBlock returns why a transaction block cannot be sent (it is
// larger than one write may be: the block is applied as one log entry),
// with the way to load such data, or "".
func oversizeBlock(e Entry) string {
	n := blockEntryOverhead
	for _, s := range e.Statements {
		n += len(s) + blockStatementOverhead
	}
	for _, ps := range e.Params {
		for _, p := range ps {
			n += len(p.Name) + len(p.Value.Text) + len(p.Value.Bytes) + blockStatementOverhead
		}
	}
	if n <= sqlval.MaxEntryBytes {
		return ""
	}
	return fmt.Sprintf("transaction block of %d statements (about %d bytes) not sent: a BEGIN…COMMIT block is one write, "+
		"applied as one log entry, and one write may be at most %d MiB. Load large data in smaller blocks "+
		"(ReSqlite's .dump writes blocks of at most 1 MiB), without BEGIN/COMMIT (each statement is then a write of its own), "+
		"for CSV data, with .import (it sends blocks of 1,000 rows), "+
		"or, for a whole SQLite database file, with resqlite restore FILE (or -boot FILE to start a new cluster with it); "+
		"nothing of this block was applied",
		len(e.Statements), n, sqlval.MaxEntryBytes>>20)
}
