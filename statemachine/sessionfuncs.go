package statemachine

import "fmt"

// connectionHistoryRejection returns why a read may not call the function
// name (lowercase), or "". last_insert_rowid(), changes() and
// total_changes() describe the history of the connection that runs them:
// a read runs on one of the node's read connections, which never wrote,
// so they would answer 0 whatever the client wrote before (issue 14, bug
// 3). A client learns them from its writes' results (rows affected, last
// insert rowid); the shell answers SELECT last_insert_rowid() and SELECT
// changes() from those for its session, as sqlite3 does for its
// connection. Writes refuse them for determinism (nonDeterministic).
func connectionHistoryRejection(name string) string {
	var use string
	switch name {
	case "last_insert_rowid":
		use = "the last insert rowid in the result of the write"
	case "changes":
		use = "the rows affected in the result of the write"
	case "total_changes":
		use = "the rows affected in the results of the session's writes"
	default:
		return ""
	}
	return fmt.Sprintf("%s() is not available in a query: a query runs on a read connection of the node, which made no changes, so it would answer 0; use %s (the shell answers SELECT last_insert_rowid() and SELECT changes() for its session)", name, use)
}
