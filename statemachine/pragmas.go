package statemachine

import "github.com/resqlite/resqlite/statemachine/sqlval"

// The PRAGMA table (which PRAGMAs a write may run, which only a read, and
// which neither) is shared with the client side, which routes a PRAGMA
// that only asks as a read; it is defined in sqlval (see there).
type PragmaClass = sqlval.PragmaClass

// The PRAGMA classes; see sqlval.
const (
	PragmaRefused  = sqlval.PragmaRefused
	PragmaReadOnly = sqlval.PragmaReadOnly
	PragmaWrite    = sqlval.PragmaWrite
)

// PragmaClassOf returns the class of the PRAGMA name (any case); a PRAGMA
// missing from the table is PragmaRefused.
func PragmaClassOf(name string) PragmaClass { return sqlval.PragmaClassOf(name) }

// checkPragmaV2 returns why PRAGMA name [= value] is not allowed in a write
// (or, when write is false, in a read) under the table above, or "".
func checkPragmaV2(name, value string, write bool) string {
	r, known := sqlval.PragmaRuleOf(name)
	switch {
	case name == "foreign_keys" && value != "" && !sqlval.ForeignKeysOff(name, value):
		return sqlval.ForeignKeysOnRejection
	case sqlval.ForeignKeysOff(name, value) && write:
		return "PRAGMA foreign_keys = " + value + " changes nothing: foreign keys are always off in ReSqlite (the shell accepts it as a no-op; a write need not send it)"
	case !known || r.Class == PragmaRefused:
		return "PRAGMA " + name + " is not allowed: it is not on ReSqlite's list of PRAGMAs"
	case write && r.Class != PragmaWrite:
		return "PRAGMA " + name + " is not allowed in a write: its answer depends on the node (file, build or connection), so nodes would diverge; read it with a query (SELECT * FROM pragma_" + name + ")"
	case value == "" && write && r.ArgumentInWrite:
		return "PRAGMA " + name + " is not allowed in a write without a table name: its order depends on the node's in-memory schema"
	case value == "" || r.Value == sqlval.PragmaValueArgument:
		return ""
	case r.Value == sqlval.PragmaValueSet && write:
		return ""
	case write:
		return "PRAGMA " + name + " = " + value + " is not allowed: the apply connection's settings are fixed"
	}
	return "PRAGMA " + name + " = " + value + " is not allowed in a read"
}
