package repl

import "github.com/resqlite/resqlite/statemachine/sqlval"

// quoteIdentifier writes name as the CLI's .mode insert does (its
// quoteChar): in double quotes when it is a keyword or not a plain name.
func quoteIdentifier(name string) string { return sqlval.QuoteIdentAsNeeded(name) }
