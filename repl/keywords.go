package repl

import "strings"

// sqlKeywords are SQLite's 147 keywords (sqlite3_keyword_name), which the
// CLI quotes as identifiers and the prompt completes.
var sqlKeywords = strings.Fields(`ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH
AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT
CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT
DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE
EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP
GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO
IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL
NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE
RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK
ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED
UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT`)

// isSQLKeyword is sqlite3_keyword_check: word is a keyword, in any case.
func isSQLKeyword(word string) bool {
	for _, k := range sqlKeywords {
		if strings.EqualFold(k, word) {
			return true
		}
	}
	return false
}

// needsQuote is the CLI's quoteChar: a name that does not start with a
// letter or '_', holds anything but ASCII letters, digits and '_', or is
// a keyword, is written in double quotes.
func needsQuote(name string) bool {
	if name == "" || !isASCIIAlpha(name[0]) && name[0] != '_' {
		return true
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isASCIIAlpha(c) && !(c >= '0' && c <= '9') && c != '_' {
			return true
		}
	}
	return isSQLKeyword(name)
}

func isASCIIAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// quoteIdentifier writes name as the CLI does in .mode insert: in double
// quotes, quotes inside doubled, when needsQuote says so.
func quoteIdentifier(name string) string {
	if !needsQuote(name) {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
