package sqlval

import "strings"

// QuoteIdent quotes s as an SQL identifier ("a""b" for a"b), so that any
// table or column name can be put into generated SQL.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
