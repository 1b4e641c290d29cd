package repl

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// completeTimeout bounds the schema read behind one Tab.
const completeTimeout = time.Second

// completer is the prompt's Tab completion (readline.AutoCompleter): a
// dot-command name at the start of a line, else an SQL keyword, a table
// or view name, or a column name of one, matched without regard to case.
type completer struct {
	s   *Shell
	ctx context.Context
}

// Do returns the endings of the candidates for the word before pos, and
// the length of that word.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	text := string(line[:pos])
	if strings.HasPrefix(strings.TrimLeft(text, " \t"), ".") && !strings.ContainsAny(strings.TrimLeft(text, " \t"), " \t") {
		word := strings.TrimLeft(text, " \t")[1:]
		return endings(word, c.dotNames(), " "), len([]rune(word))
	}
	start := len(text)
	for start > 0 && isIDChar(text[start-1]) {
		start--
	}
	word := text[start:]
	if word == "" {
		return nil, 0
	}
	names := c.schemaNames()
	cands := endings(word, names, " ")
	for _, k := range sqlval.Keywords() {
		if strings.HasPrefix(k, strings.ToUpper(word)) && len(k) > len(word) {
			suffix := k[len(word):]
			if lastLetterLower(word) {
				suffix = strings.ToLower(suffix)
			}
			cands = append(cands, []rune(suffix+" "))
		}
	}
	return cands, len([]rune(word))
}

// endings returns, for each name starting with word (any case), the rest
// of it followed by after.
func endings(word string, names []string, after string) [][]rune {
	var out [][]rune
	for _, n := range names {
		if len(n) > len(word) && strings.EqualFold(n[:len(word)], word) {
			out = append(out, []rune(n[len(word):]+after))
		}
	}
	return out
}

func lastLetterLower(word string) bool {
	for i := len(word) - 1; i >= 0; i-- {
		if c := word[i]; c >= 'a' && c <= 'z' {
			return true
		} else if c >= 'A' && c <= 'Z' {
			return false
		}
	}
	return false
}

// dotNames are the dot-commands' names.
func (c completer) dotNames() []string {
	var names []string
	for _, d := range dotCommands() {
		names = append(names, d.name)
	}
	return names
}

// schemaNames reads the tables and views and their columns from the node
// (nothing when it cannot be read in time), sorted, without repeats.
func (c completer) schemaNames() []string {
	ctx, cancel := context.WithTimeout(c.ctx, completeTimeout)
	defer cancel()
	names, err := c.s.schemaQuery(ctx, "SELECT s.name FROM sqlite_schema s WHERE s.type IN ('table','view') AND "+sqlval.HideInternalObjects+
		" UNION SELECT p.name FROM sqlite_schema s JOIN pragma_table_info(s.name) p WHERE s.type IN ('table','view') AND "+sqlval.HideInternalObjects)
	if err != nil {
		return nil
	}
	sort.Strings(names)
	return names
}
