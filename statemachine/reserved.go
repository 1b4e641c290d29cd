package statemachine

import "github.com/resqlite/resqlite/statemachine/sqlval"

// The names ReSqlite reserves for its own objects and the filter that
// hides them from schema listings are shared with the client side; they
// are defined in sqlval (see there).
const (
	ReservedPrefix      = sqlval.ReservedPrefix
	MetaTable           = sqlval.MetaTable
	SessionsTable       = sqlval.SessionsTable
	SessionResultsTable = sqlval.SessionResultsTable
	RestoreTable        = sqlval.RestoreTable
	HideInternalObjects = sqlval.HideInternalObjects
)

// entrySavepoint is the savepoint each entry of a batch runs in. Its name
// is reserved, so a RELEASE or ROLLBACK TO in the entry cannot reach it.
const entrySavepoint = ReservedPrefix + "entry"
