package statemachine

import (
	"fmt"
	"strings"
)

// generate_series in writes (RulesV5). The apply connection has no
// generate_series between statements: its TEMP table (series.go) is
// created just before a Statement whose text names generate_series, and
// dropped just after it, inside the entry's transaction. So what a write
// can observe of it (sqlite_temp_schema, a name lookup) depends only on
// the statement and the replicated database, never on what the
// connection did before, and a node restarted or restored from a
// snapshot applies the next entry as the others do. While the database
// has a table or view named generate_series, none is created, and the
// user's object is found, as in sqlite3 (where a table comes before the
// built-in). Views and triggers, which SQLite binds to the main schema,
// do not see the TEMP table: in them the name stays "no such table".

// seriesWriteProbe tells whether the user has a table or view named
// generate_series; it is seriesProbe, cached in its own slot.
const seriesWriteProbe = seriesProbe

// dropSeries removes the apply connection's TEMP generate_series.
const dropSeries = "DROP TABLE IF EXISTS temp.generate_series"

// namesSeries reports whether sql may name generate_series: SQLite folds
// only ASCII letters, so every spelling of the name holds this text in
// some letter case.
func namesSeries(sql string) bool {
	const name = "generate_series"
	for i := 0; i+len(name) <= len(sql); i++ {
		if sql[i]|0x20 == 'g' && strings.EqualFold(sql[i:i+len(name)], name) {
			return true
		}
	}
	return false
}

// placeSeries creates the TEMP generate_series for a Statement whose text
// is sql, when the rules in force allow it in writes, the text names it,
// and the user has no object of that name. It reports whether it did;
// then the caller calls removeSeries once the Statement ran. The work is
// ReSqlite's own: it is not counted in the entry's step budget.
func (w *writer) placeSeries(sql string) (bool, error) {
	if w.pol.rules < RulesV5 || !namesSeries(sql) {
		return false, nil
	}
	left := w.budget.suspend()
	defer w.budget.resume(left)
	w.pol.reset(modeInternal)
	user, err := w.c.intCached(&w.seriesProbe, seriesWriteProbe)
	if err != nil {
		return false, &envError{fmt.Errorf("look for a user's generate_series: %w", err)}
	}
	if user > 0 {
		return false, nil
	}
	if err := w.c.exec(CreateGenerateSeries); err != nil {
		return false, &envError{fmt.Errorf("create generate_series for a write: %w", err)}
	}
	return true, nil
}

// removeSeries drops what placeSeries created (a statement that ended the
// transaction took it away already).
func (w *writer) removeSeries() error {
	left := w.budget.suspend()
	defer w.budget.resume(left)
	w.pol.reset(modeInternal)
	if err := w.c.exec(dropSeries); err != nil {
		return &envError{fmt.Errorf("drop generate_series after a write: %w", err)}
	}
	return nil
}
