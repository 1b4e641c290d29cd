package repl

import (
	"fmt"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// importColumns turns the header row of an .import input into the column
// list of the table it creates, as the sqlite3 CLI's zAutoColumn does: an
// empty name becomes "?", and names repeated (ignoring ASCII case) get
// "_" and their position appended, with as many leading zeros as make
// every name distinct. It returns the "(\n…)" column specification and
// the CLI's list of renames ("" when none).
func importColumns(header []string) (spec, renames string) {
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = h
		if h == "" {
			names[i] = "?"
		}
	}
	repeated := repeatedNames(names)
	digits := len(fmt.Sprint(len(names))) // ceil(log10(count+0.5)), as the CLI pads
	zeros := 0
	for collide(names, repeated, zeros, digits) {
		zeros++
	}
	var b strings.Builder
	var renamed []string
	b.WriteString("(\n")
	for i, n := range names {
		final := n
		if repeated[i] {
			final = n + "_" + strings.Repeat("0", zeros) + fmt.Sprint(i+1)
			renamed = append(renamed, quoteIdent(n)+" to "+quoteIdent(final))
		}
		if i > 0 && i%4 > 0 {
			b.WriteString(", ")
		} else if i > 0 {
			b.WriteString(",\n ")
		}
		b.WriteString(quoteIdent(final) + " TEXT")
	}
	b.WriteString(")")
	return b.String(), strings.Join(renamed, ",\n")
}

// repeatedNames marks the names another column also has, ignoring ASCII
// case (the CLI's COLLATE NOCASE).
func repeatedNames(names []string) []bool {
	count := map[string]int{}
	for _, n := range names {
		count[sqlval.LowerASCII(n)]++
	}
	out := make([]bool, len(names))
	for i, n := range names {
		out[i] = count[sqlval.LowerASCII(n)] > 1
	}
	return out
}

// collide reports whether the renamed names, with zeros leading zeros and
// positions padded to digits, still repeat (the CLI's search for the
// fewest leading zeros).
func collide(names []string, repeated []bool, zeros, digits int) bool {
	seen := map[string]bool{}
	for i, n := range names {
		if repeated[i] {
			n = fmt.Sprintf("%s_%s%0*d", n, strings.Repeat("0", zeros), digits, i+1)
		}
		k := sqlval.LowerASCII(n)
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

// quoteIdent quotes an identifier as printf's %w inside "…" does.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
