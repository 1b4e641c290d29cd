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
