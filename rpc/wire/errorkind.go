package wire

import (
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// ErrorKindToProto converts an error kind; an unknown one is
// ERROR_KIND_UNSPECIFIED.
func ErrorKindToProto(k sqlval.ErrorKind) resqlitepb.ErrorKind {
	switch k {
	case sqlval.ErrorParse:
		return resqlitepb.ErrorKind_ERROR_KIND_PARSE
	case sqlval.ErrorRuntime:
		return resqlitepb.ErrorKind_ERROR_KIND_RUNTIME
	case sqlval.ErrorRejected:
		return resqlitepb.ErrorKind_ERROR_KIND_REJECTED
	case sqlval.ErrorMalformed:
		return resqlitepb.ErrorKind_ERROR_KIND_MALFORMED
	}
	return resqlitepb.ErrorKind_ERROR_KIND_UNSPECIFIED
}

// ErrorKindFromProto converts a wire error kind; ERROR_KIND_UNSPECIFIED
// (or one this build does not know) is the zero ErrorKind.
func ErrorKindFromProto(k resqlitepb.ErrorKind) sqlval.ErrorKind {
	switch k {
	case resqlitepb.ErrorKind_ERROR_KIND_PARSE:
		return sqlval.ErrorParse
	case resqlitepb.ErrorKind_ERROR_KIND_RUNTIME:
		return sqlval.ErrorRuntime
	case resqlitepb.ErrorKind_ERROR_KIND_REJECTED:
		return sqlval.ErrorRejected
	case resqlitepb.ErrorKind_ERROR_KIND_MALFORMED:
		return sqlval.ErrorMalformed
	}
	return 0
}
