package sqldriver

import (
	"strconv"
	"strings"
)

// placeholders are the parameters of a statement.
type placeholders struct {
	// named maps a name without prefix to the prefixed forms (":a",
	// "@a", "$a") the statement uses.
	named map[string][]string
	// positional is the number of unnamed parameters SQLite numbers: a
	// "?" takes the index after the largest so far, a "?NNN" index NNN.
	positional int
}

// scanPlaceholders returns the parameters of query. String literals,
// quoted identifiers and comments are skipped.
func scanPlaceholders(query string) placeholders {
	out := placeholders{named: map[string][]string{}}
	for i := 0; i < len(query); {
		switch c := query[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(query, i, c)
		case c == '[':
			i = skipPast(query, i+1, "]")
		case strings.HasPrefix(query[i:], "--"):
			i = skipPast(query, i+2, "\n")
		case strings.HasPrefix(query[i:], "/*"):
			i = skipPast(query, i+2, "*/")
		case c == '?':
			i = out.positionalAt(query, i)
		case c == ':' || c == '@' || c == '$':
			j := i + 1
			for j < len(query) && isIDChar(query[j]) {
				j++
			}
			if j > i+1 {
				addForm(out.named, query[i+1:j], query[i:j])
			}
			i = j
		default:
			i++
		}
	}
	return out
}

// positionalAt counts the "?" or "?NNN" at query[i] and returns the
// index after it.
func (p *placeholders) positionalAt(query string, i int) int {
	j := i + 1
	for j < len(query) && '0' <= query[j] && query[j] <= '9' {
		j++
	}
	if j == i+1 {
		p.positional++
		return j
	}
	if n, err := strconv.Atoi(query[i+1 : j]); err == nil {
		p.positional = max(p.positional, n)
	}
	return j
}

func addForm(out map[string][]string, name, form string) {
	for _, f := range out[name] {
		if f == form {
			return
		}
	}
	out[name] = append(out[name], form)
}

// skipQuoted returns the index after the quoted text starting at i
// (quote q, doubled inside to escape it).
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] != q {
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			j++
			continue
		}
		return j + 1
	}
	return len(s)
}

// skipPast returns the index after the first end at or after i, or
// len(s).
func skipPast(s string, i int, end string) int {
	if k := strings.Index(s[i:], end); k >= 0 {
		return i + k + len(end)
	}
	return len(s)
}

// isIDChar reports whether c may continue a parameter name (SQLite's
// identifier characters: ASCII letters, digits, _ and every byte of a
// non-ASCII UTF-8 character).
func isIDChar(c byte) bool {
	return c == '_' || c >= 0x80 || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}
