package sqlval

import "testing"

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"t": `"t"`, `a"b`: `"a""b"`, "": `""`, `""`: `""""""`, "sp ace": `"sp ace"`,
	} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}

// QuoteIdentAsNeeded quotes as the sqlite3 CLI's .dump does (the oracle
// comparison is statemachine's TestDumpMatchesSQLite3).
func TestQuoteIdentAsNeeded(t *testing.T) {
	for in, want := range map[string]string{
		"t": "t", "_u9": "_u9", "Order": `"Order"`, "select": `"select"`, "rowid": "rowid",
		"1st": `"1st"`, "café": `"café"`, `a"b`: `"a""b"`, "": `""`, "sp ace": `"sp ace"`, "a-b": `"a-b"`,
	} {
		if got := QuoteIdentAsNeeded(in); got != want {
			t.Errorf("QuoteIdentAsNeeded(%q) = %s, want %s", in, got, want)
		}
	}
	if n := len(Keywords()); n != 147 {
		t.Errorf("%d keywords, SQLite 3.40 has 147", n)
	}
}
