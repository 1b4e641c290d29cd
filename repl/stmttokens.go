package repl

import "strings"

// positionedToken is one token of a statement with its byte range.
type positionedToken struct {
	text       string
	start, end int
}

// positionedTokens returns the tokens of one statement, without
// whitespace, comments and the closing semicolon; nil when anything but
// whitespace and comments follows a semicolon.
func positionedTokens(sql string) []positionedToken {
	var toks []positionedToken
	for i := 0; i < len(sql); {
		tok := scanToken(sql, i)
		i = tok.end
		switch {
		case tok.kind == tokSpace:
		case tok.kind == tokSemi:
			if strings.TrimSpace(stripComments(sql[i:])) != "" {
				return nil
			}
			return toks
		default:
			toks = append(toks, positionedToken{sql[tok.start:tok.end], tok.start, tok.end})
		}
	}
	return toks
}
