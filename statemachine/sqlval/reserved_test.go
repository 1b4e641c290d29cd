package sqlval

import "testing"

func TestHasReservedPrefix(t *testing.T) {
	for name, want := range map[string]bool{
		"_resqlite_entry": true, "_RESQLITE_x": true, "_ReSqlite_": true,
		"_resqlite": false, "resqlite_x": false, "x_resqlite_": false, "": false,
		"_reſqlite_x": false, // SQLite folds ASCII case only
	} {
		if got := HasReservedPrefix(name); got != want {
			t.Errorf("HasReservedPrefix(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestIsInternalTable(t *testing.T) {
	for name, want := range map[string]bool{
		MetaTable: true, "_RESQLITE_SESSIONS": true, SessionResultsTable: true,
		"_resqlite_mine": false, "_resqlite_sessions2": false, "": false,
	} {
		if got := IsInternalTable(name); got != want {
			t.Errorf("IsInternalTable(%q) = %v, want %v", name, got, want)
		}
	}
}
