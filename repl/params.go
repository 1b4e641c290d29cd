package repl

import (
	"sort"
	"strconv"
	"unicode/utf8"
)

// boundParam is one .parameter binding: its value and the value as
// quote() writes it, for .parameter list.
type boundParam struct {
	value  Value
	quoted string
}

// paramTable is the session's .parameter bindings, the CLI's
// temp.sqlite_parameters, by name.
type paramTable map[string]boundParam

// keys returns the names in the table's order (bytewise, as the CLI's
// WITHOUT ROWID table keeps them).
func (t paramTable) keys() []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sqlVariable is one parameter written in a statement: its name (""
// for a bare "?") and the index SQLite gives it.
type sqlVariable struct {
	name  string
	index int
}

// statementVariables finds the parameters of sql outside strings,
// quoted names and comments, numbered as SQLite numbers them: ?NNN is
// NNN, a name keeps the index of its first use, anything else takes the
// next index after the largest so far.
func statementVariables(sql string) []sqlVariable {
	var vars []sqlVariable
	seen := map[string]int{}
	last := 0
	for i := 0; i < len(sql); {
		tok := scanToken(sql, i)
		i = tok.end
		name, numbered, ok := variableAt(sql, tok)
		if !ok {
			continue
		}
		i = tok.start + len(name)
		switch {
		case numbered:
			n, err := strconv.Atoi(name[1:])
			if err != nil {
				continue
			}
			last = max(last, n)
			vars = append(vars, sqlVariable{name: name, index: n})
		case name == "?":
			last++
			vars = append(vars, sqlVariable{index: last})
		default:
			idx, dup := seen[name]
			if !dup {
				last++
				idx = last
				seen[name] = idx
			}
			vars = append(vars, sqlVariable{name: name, index: idx})
		}
	}
	return vars
}

// variableAt reads the parameter that starts token tok, if it is one:
// "?", "?NNN" (numbered), ":name", "@name" or "$name".
func variableAt(sql string, tok scannedToken) (name string, numbered, ok bool) {
	c := sql[tok.start]
	switch {
	case c == '?':
		j := tok.start + 1
		for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
			j++
		}
		return sql[tok.start:j], j > tok.start+1, true
	case c == ':' || c == '@':
		j := tok.start + 1
		for j < len(sql) && isIDChar(sql[j]) {
			j++
		}
		return sql[tok.start:j], false, j > tok.start+1
	case c == '$' && tok.kind != tokSpace:
		return sql[tok.start:tok.end], false, tok.end > tok.start+1
	}
	return "", false, false
}

// bindings returns the parameters to send with sql, as the CLI binds
// them: each index's first name is looked up in the table, a bare "?"
// as "?N" for its index N. Named ones (":a", "@a", "$a") are sent by
// name; the indexes without such a name (bare and "?NNN") by position, in
// index order, NULL where the table has nothing, when it has something
// for one of them. Parameters the table does not hold stay unbound, NULL,
// as in the CLI.
func (t paramTable) bindings(sql string) []Param {
	if len(t) == 0 {
		return nil
	}
	first := map[int]string{}
	last := 0
	for _, v := range statementVariables(sql) {
		if _, ok := first[v.index]; !ok {
			first[v.index] = v.name
		}
		last = max(last, v.index)
	}
	var named, positional []Param
	found := false
	for idx := 1; idx <= last; idx++ { // an index no parameter uses ("?5" alone) is a slot too
		name := first[idx]
		if name != "" && name[0] != '?' {
			if p, ok := t[name]; ok {
				named = append(named, Param{Name: name, Value: p.value})
			}
			continue
		}
		p, ok := t["?"+strconv.Itoa(idx)]
		found = found || ok
		positional = append(positional, Param{Value: p.value})
	}
	if found {
		return append(named, positional...)
	}
	return named
}

// listWidth is the CLI's width of .parameter list's name column: the
// longest name in characters, at most 40.
func (t paramTable) listWidth() int {
	n := 0
	for k := range t {
		n = max(n, utf8.RuneCountInString(k))
	}
	return min(n, 40)
}

// bindings are the parameters st is sent with: those liftLiterals took out
// of it, or the shell's .parameter bindings of the variables it names.
func (s *Shell) bindings(st Statement) []Param {
	if st.lifted != nil {
		return st.lifted
	}
	return s.params.bindings(st.SQL)
}
