package sqldriver

import "strings"

// namedParams returns the named parameters of query, by name without
// prefix, with the prefixed forms (":a", "@a", "$a") it uses. String
// literals, quoted identifiers and comments are skipped.
func namedParams(query string) map[string][]string {
	out := map[string][]string{}
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
		case c == ':' || c == '@' || c == '$':
			j := i + 1
			for j < len(query) && isIDChar(query[j]) {
				j++
			}
			if j > i+1 {
				addForm(out, query[i+1:j], query[i:j])
			}
			i = j
		default:
			i++
		}
	}
	return out
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
