package sqlval

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

// PragmaValue tells what the value after a PRAGMA's name (PRAGMA x = v or
// PRAGMA x(v)) means.
type PragmaValue uint8

const (
	// PragmaValueNone: a value would change a setting of the connection
	// or the file; nobody may give one.
	PragmaValueNone PragmaValue = iota
	// PragmaValueArgument: the value only names what to describe (a
	// table, an index, a row limit); it changes nothing.
	PragmaValueArgument
	// PragmaValueSet: the value is stored in the replicated database; only
	// a write may give one.
	PragmaValueSet
)

// PragmaRule is one row of the PRAGMA table.
type PragmaRule struct {
	Class PragmaClass
	Value PragmaValue
	// ArgumentInWrite: a write must name the object (its answer without
	// one lists tables in the order of SQLite's in-memory schema hash,
	// which depends on the connection's history, not on the content).
	ArgumentInWrite bool
}

// pragmaRules classifies every PRAGMA of the modernc.org/sqlite build
// (pragma_pragma_list; a test of the statemachine package checks that
// none is missing). The justification is given per group.
var pragmaRules = map[string]PragmaRule{
	// Replicated content: stored in the database header by a write.
	"user_version":   {Class: PragmaWrite, Value: PragmaValueSet},
	"application_id": {Class: PragmaWrite, Value: PragmaValueSet},

	// Describe one object of the replicated schema, in the schema's
	// declaration order: the same on every node.
	"table_info":       {Class: PragmaWrite, Value: PragmaValueArgument},
	"table_xinfo":      {Class: PragmaWrite, Value: PragmaValueArgument},
	"index_info":       {Class: PragmaWrite, Value: PragmaValueArgument},
	"index_xinfo":      {Class: PragmaWrite, Value: PragmaValueArgument},
	"index_list":       {Class: PragmaWrite, Value: PragmaValueArgument},
	"foreign_key_list": {Class: PragmaWrite, Value: PragmaValueArgument},
	// Checks replicated content; without a table it walks the schema hash
	// (order depends on the connection's history), so a write names one.
	"foreign_key_check": {Class: PragmaWrite, Value: PragmaValueArgument, ArgumentInWrite: true},
	// Lists tables; the same hash-order caveat.
	"table_list": {Class: PragmaWrite, Value: PragmaValueArgument, ArgumentInWrite: true},

	// Check this node's file: the answer is what differs between a healthy
	// and a damaged node, so it is a read.
	"integrity_check": {Class: PragmaReadOnly, Value: PragmaValueArgument},
	"quick_check":     {Class: PragmaReadOnly, Value: PragmaValueArgument},

	// Build-dependent: change with the SQLite version or its options.
	"compile_options": {Class: PragmaReadOnly},
	"function_list":   {Class: PragmaReadOnly},
	"module_list":     {Class: PragmaReadOnly},
	"pragma_list":     {Class: PragmaReadOnly},
	"collation_list":  {Class: PragmaReadOnly},

	// File layout and node history: a restored snapshot, a checkpoint or
	// another connection changes them (schema_version is rewritten by the
	// backup API a snapshot is restored with).
	"schema_version": {Class: PragmaReadOnly},
	"data_version":   {Class: PragmaReadOnly},
	"database_list":  {Class: PragmaReadOnly},
	"page_count":     {Class: PragmaReadOnly},
	"freelist_count": {Class: PragmaReadOnly},
	"max_page_count": {Class: PragmaReadOnly},
	"page_size":      {Class: PragmaReadOnly},
	"auto_vacuum":    {Class: PragmaReadOnly},
	"encoding":       {Class: PragmaReadOnly},
	"journal_mode":   {Class: PragmaReadOnly},

	// Settings of the connection (fixed on the apply connection, see
	// settings.go) or of the process: nobody changes them through SQL;
	// reading them describes the serving connection.
	"analysis_limit":            {Class: PragmaReadOnly},
	"automatic_index":           {Class: PragmaReadOnly},
	"busy_timeout":              {Class: PragmaReadOnly},
	"cache_size":                {Class: PragmaReadOnly},
	"cache_spill":               {Class: PragmaReadOnly},
	"case_sensitive_like":       {Class: PragmaReadOnly},
	"cell_size_check":           {Class: PragmaReadOnly},
	"checkpoint_fullfsync":      {Class: PragmaReadOnly},
	"count_changes":             {Class: PragmaReadOnly},
	"default_cache_size":        {Class: PragmaReadOnly},
	"defer_foreign_keys":        {Class: PragmaReadOnly},
	"empty_result_callbacks":    {Class: PragmaReadOnly},
	"foreign_keys":              {Class: PragmaReadOnly},
	"full_column_names":         {Class: PragmaReadOnly},
	"fullfsync":                 {Class: PragmaReadOnly},
	"hard_heap_limit":           {Class: PragmaReadOnly},
	"ignore_check_constraints":  {Class: PragmaReadOnly},
	"journal_size_limit":        {Class: PragmaReadOnly},
	"legacy_alter_table":        {Class: PragmaReadOnly},
	"locking_mode":              {Class: PragmaReadOnly},
	"mmap_size":                 {Class: PragmaReadOnly},
	"query_only":                {Class: PragmaReadOnly},
	"read_uncommitted":          {Class: PragmaReadOnly},
	"recursive_triggers":        {Class: PragmaReadOnly},
	"reverse_unordered_selects": {Class: PragmaReadOnly},
	"secure_delete":             {Class: PragmaReadOnly},
	"short_column_names":        {Class: PragmaReadOnly},
	"soft_heap_limit":           {Class: PragmaReadOnly},
	"synchronous":               {Class: PragmaReadOnly},
	"temp_store":                {Class: PragmaReadOnly},
	"threads":                   {Class: PragmaReadOnly},
	"trusted_schema":            {Class: PragmaReadOnly},
	"wal_autocheckpoint":        {Class: PragmaReadOnly},
	"writable_schema":           {Class: PragmaReadOnly},

	// Actions, not questions: they change the file, the statistics or the
	// process (optimize runs ANALYZE), so neither a write nor a read runs
	// them. temp_store_directory is process-wide and deprecated. Absent
	// from this build, and so refused too: data_store_directory, stats.
	"incremental_vacuum":   {Class: PragmaRefused},
	"temp_store_directory": {Class: PragmaRefused},
	"optimize":             {Class: PragmaRefused},
	"shrink_memory":        {Class: PragmaRefused},
	"wal_checkpoint":       {Class: PragmaRefused},
}

// PragmaRuleOf returns the row of the PRAGMA table for name (any case)
// and whether the table has one.
func PragmaRuleOf(name string) (PragmaRule, bool) {
	r, ok := pragmaRules[strings.ToLower(name)]
	return r, ok
}

// PragmaClassOf returns the class of the PRAGMA name (any case); a PRAGMA
// missing from the table is PragmaRefused.
func PragmaClassOf(name string) PragmaClass {
	return pragmaRules[strings.ToLower(name)].Class
}

// PragmaAsks reports whether PRAGMA name [= value] (value "" when none is
// given; PRAGMA name(value) is the same statement) only asks a question,
// so that it runs as a read: the PRAGMA is on the table, not refused, and
// it is given no value or a value that only names what to describe
// (PRAGMA table_info(t)). A value that sets something (user_version = 3)
// makes it a write.
func PragmaAsks(name, value string) bool {
	r, ok := PragmaRuleOf(name)
	if !ok || r.Class == PragmaRefused {
		return false
	}
	return value == "" || r.Value == PragmaValueArgument
}

// ForeignKeysOff reports whether PRAGMA name = value turns foreign key
// enforcement off (foreign_keys set to OFF, FALSE, NO or 0, as SQLite
// reads a boolean). Foreign keys are always off in ReSqlite (see
// ForeignKeysOnRejection), so such a statement changes nothing: the sqlite3
// CLI's .dump begins with it, and the shell accepts it as a no-op.
func ForeignKeysOff(name, value string) bool {
	if !strings.EqualFold(name, "foreign_keys") {
		return false
	}
	switch strings.ToLower(strings.Trim(value, `'"`)) {
	case "off", "false", "no", "0":
		return true
	}
	return false
}

// ForeignKeysOnRejection is why foreign key enforcement cannot be turned
// on: apply runs a batch of entries in one transaction, so constraints
// SQLite defers (DEFERRABLE INITIALLY DEFERRED, defer_foreign_keys) would
// be checked at the batch's COMMIT, and one entry's violation would undo
// its neighbours.
const ForeignKeysOnRejection = "PRAGMA foreign_keys = ON is not supported: foreign keys are off on every node (apply commits a batch of entries in one transaction, where deferred constraints would be checked at the batch's COMMIT and fail the other entries with it); enforce references with triggers"
