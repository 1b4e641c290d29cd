package sqldriver_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"time"
)

// The README's example: open, write with parameters, read, and a
// transaction sent as one entry at Commit. (Compiled, not run: it needs
// a cluster on the README's ports.)
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := sql.Open("resqlite", "127.0.0.1:50050,127.0.0.1:50051?consistency=lease")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "INSERT INTO t (name, n) VALUES (:name, ?)", sql.Named("name", "a"), 1); err != nil {
		log.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, "SELECT name, n FROM t WHERE n > ?", 0)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			log.Fatal(err)
		}
		fmt.Println(name, n)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	tx.ExecContext(ctx, "UPDATE t SET n = n - 1 WHERE name = ?", "a")
	tx.ExecContext(ctx, "UPDATE t SET n = n + 1 WHERE name = ?", "b")
	if err := tx.Commit(); err != nil { // both or neither
		log.Fatal(err)
	}
}
