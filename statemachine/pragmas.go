package statemachine

import "strings"

// PragmaClass tells where a PRAGMA may run under the current determinism
// rules (RulesVersion 2 and later; version 1 judged PRAGMAs by the older
// checkPragmaV1).
type PragmaClass uint8

const (
	// PragmaRefused may run neither in a write nor in a read. Every PRAGMA
	// missing from the table is refused.
	PragmaRefused PragmaClass = iota
	// PragmaReadOnly may run in a read (it describes the node, its file,
	// its build or its connection) and is refused in a write: its answer
	// is not the same on every node at every log position.
	PragmaReadOnly
	// PragmaWrite may run in a write as in a read: its answer depends only
	// on the replicated schema and content, and setting it (where the
	// table says it takes a new value) changes replicated content.
	PragmaWrite
)

// String names the class for messages and tests.
func (c PragmaClass) String() string {
	switch c {
	case PragmaReadOnly:
		return "read-only"
	case PragmaWrite:
		return "write"
	}
	return "refused"
}

// pragmaValue tells what the value after a PRAGMA's name (PRAGMA x = v or
// PRAGMA x(v)) means.
type pragmaValue uint8

const (
	// valueNone: a value would change a setting of the connection or the
	// file; nobody may give one.
	valueNone pragmaValue = iota
	// valueArgument: the value only names what to describe (a table, an
	// index, a row limit); it changes nothing.
	valueArgument
	// valueSet: the value is stored in the replicated database; only a
	// write may give one.
	valueSet
)

// pragmaRule is one row of the PRAGMA table.
type pragmaRule struct {
	class PragmaClass
	value pragmaValue
	// argumentInWrite: a write must name the object (its answer without
	// one lists tables in the order of SQLite's in-memory schema hash,
	// which depends on the connection's history, not on the content).
	argumentInWrite bool
}

// pragmaRules classifies every PRAGMA of the modernc.org/sqlite build
// (pragma_pragma_list). The justification is given per group.
var pragmaRules = map[string]pragmaRule{
	// Replicated content: stored in the database header by a write.
	"user_version":   {class: PragmaWrite, value: valueSet},
	"application_id": {class: PragmaWrite, value: valueSet},

	// Describe one object of the replicated schema, in the schema's
	// declaration order: the same on every node.
	"table_info":       {class: PragmaWrite, value: valueArgument},
	"table_xinfo":      {class: PragmaWrite, value: valueArgument},
	"index_info":       {class: PragmaWrite, value: valueArgument},
	"index_xinfo":      {class: PragmaWrite, value: valueArgument},
	"index_list":       {class: PragmaWrite, value: valueArgument},
	"foreign_key_list": {class: PragmaWrite, value: valueArgument},
	// Checks replicated content; without a table it walks the schema hash
	// (order depends on the connection's history), so a write names one.
	"foreign_key_check": {class: PragmaWrite, value: valueArgument, argumentInWrite: true},
	// Lists tables; the same hash-order caveat.
	"table_list": {class: PragmaWrite, value: valueArgument, argumentInWrite: true},

	// Check this node's file: the answer is what differs between a healthy
	// and a damaged node, so it is a read.
	"integrity_check": {class: PragmaReadOnly, value: valueArgument},
	"quick_check":     {class: PragmaReadOnly, value: valueArgument},

	// Build-dependent: change with the SQLite version or its options.
	"compile_options": {class: PragmaReadOnly},
	"function_list":   {class: PragmaReadOnly},
	"module_list":     {class: PragmaReadOnly},
	"pragma_list":     {class: PragmaReadOnly},
	"collation_list":  {class: PragmaReadOnly},

	// File layout and node history: a restored snapshot, a checkpoint or
	// another connection changes them (schema_version is rewritten by the
	// backup API a snapshot is restored with).
	"schema_version": {class: PragmaReadOnly},
	"data_version":   {class: PragmaReadOnly},
	"database_list":  {class: PragmaReadOnly},
	"page_count":     {class: PragmaReadOnly},
	"freelist_count": {class: PragmaReadOnly},
	"max_page_count": {class: PragmaReadOnly},
	"page_size":      {class: PragmaReadOnly},
	"auto_vacuum":    {class: PragmaReadOnly},
	"encoding":       {class: PragmaReadOnly},
	"journal_mode":   {class: PragmaReadOnly},

	// Settings of the connection (fixed on the apply connection, see
	// settings.go) or of the process: nobody changes them through SQL;
	// reading them describes the serving connection.
	"analysis_limit":            {class: PragmaReadOnly},
	"automatic_index":           {class: PragmaReadOnly},
	"busy_timeout":              {class: PragmaReadOnly},
	"cache_size":                {class: PragmaReadOnly},
	"cache_spill":               {class: PragmaReadOnly},
	"case_sensitive_like":       {class: PragmaReadOnly},
	"cell_size_check":           {class: PragmaReadOnly},
	"checkpoint_fullfsync":      {class: PragmaReadOnly},
	"count_changes":             {class: PragmaReadOnly},
	"default_cache_size":        {class: PragmaReadOnly},
	"defer_foreign_keys":        {class: PragmaReadOnly},
	"empty_result_callbacks":    {class: PragmaReadOnly},
	"foreign_keys":              {class: PragmaReadOnly},
	"full_column_names":         {class: PragmaReadOnly},
	"fullfsync":                 {class: PragmaReadOnly},
	"hard_heap_limit":           {class: PragmaReadOnly},
	"ignore_check_constraints":  {class: PragmaReadOnly},
	"journal_size_limit":        {class: PragmaReadOnly},
	"legacy_alter_table":        {class: PragmaReadOnly},
	"locking_mode":              {class: PragmaReadOnly},
	"mmap_size":                 {class: PragmaReadOnly},
	"query_only":                {class: PragmaReadOnly},
	"read_uncommitted":          {class: PragmaReadOnly},
	"recursive_triggers":        {class: PragmaReadOnly},
	"reverse_unordered_selects": {class: PragmaReadOnly},
	"secure_delete":             {class: PragmaReadOnly},
	"short_column_names":        {class: PragmaReadOnly},
	"soft_heap_limit":           {class: PragmaReadOnly},
	"synchronous":               {class: PragmaReadOnly},
	"temp_store":                {class: PragmaReadOnly},
	"threads":                   {class: PragmaReadOnly},
	"trusted_schema":            {class: PragmaReadOnly},
	"wal_autocheckpoint":        {class: PragmaReadOnly},
	"writable_schema":           {class: PragmaReadOnly},

	// Actions, not questions: they change the file, the statistics or the
	// process (optimize runs ANALYZE), so neither a write nor a read runs
	// them. temp_store_directory is process-wide and deprecated. Absent
	// from this build, and so refused too: data_store_directory, stats.
	"incremental_vacuum":   {class: PragmaRefused},
	"temp_store_directory": {class: PragmaRefused},
	"optimize":             {class: PragmaRefused},
	"shrink_memory":        {class: PragmaRefused},
	"wal_checkpoint":       {class: PragmaRefused},
}

// PragmaClassOf returns the class of the PRAGMA name (any case); a PRAGMA
// missing from the table is PragmaRefused.
func PragmaClassOf(name string) PragmaClass {
	return pragmaRules[strings.ToLower(name)].class
}

// checkPragmaV2 returns why PRAGMA name [= value] is not allowed in a write
// (or, when write is false, in a read) under the table above, or "".
func checkPragmaV2(name, value string, write bool) string {
	r, known := pragmaRules[name]
	switch {
	case !known || r.class == PragmaRefused:
		return "PRAGMA " + name + " is not allowed: it is not on ReSqlite's list of PRAGMAs"
	case write && r.class != PragmaWrite:
		return "PRAGMA " + name + " is not allowed in a write: its answer depends on the node (file, build or connection), so nodes would diverge; read it with a query (SELECT * FROM pragma_" + name + ")"
	case value == "" && write && r.argumentInWrite:
		return "PRAGMA " + name + " is not allowed in a write without a table name: its order depends on the node's in-memory schema"
	case value == "" || r.value == valueArgument:
		return ""
	case r.value == valueSet && write:
		return ""
	case write:
		return "PRAGMA " + name + " = " + value + " is not allowed: the apply connection's settings are fixed"
	}
	return "PRAGMA " + name + " = " + value + " is not allowed in a read"
}
