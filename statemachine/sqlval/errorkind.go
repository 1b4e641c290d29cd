package sqlval

import "fmt"

// ErrorKind says at which point a statement failed.
type ErrorKind uint8

const (
	// ErrorParse: the statement could not be prepared (syntax error, no such
	// table, …). The sqlite3 CLI prints these as "Parse error".
	ErrorParse ErrorKind = iota + 1
	// ErrorRuntime: the statement failed while running (constraint, a
	// function's error, …). The sqlite3 CLI prints "Runtime error".
	ErrorRuntime
	// ErrorRejected: ReSqlite's determinism or write policy refused the
	// statement (a non-deterministic function, ATTACH, a TEMP object, …).
	ErrorRejected
	// ErrorMalformed: the entry's payload could not be decoded.
	ErrorMalformed
)

func (k ErrorKind) String() string {
	switch k {
	case ErrorParse:
		return "parse"
	case ErrorRuntime:
		return "runtime"
	case ErrorRejected:
		return "rejected"
	case ErrorMalformed:
		return "malformed"
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}
