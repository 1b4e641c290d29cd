package statemachine

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/resqlite/resqlite/raft"
)

// BenchmarkApply measures apply throughput of single-row inserts, one entry
// per Apply call (one transaction each) and 100 entries per call.
func BenchmarkApply(b *testing.B) {
	for _, batch := range []int{1, 100} {
		name := "unbatched"
		if batch > 1 {
			name = "batched100"
		}
		b.Run(name, func(b *testing.B) {
			sm := openTest(b)
			mustExec(b, sm, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, n INTEGER)")
			entries := make([]raft.Entry, b.N)
			for i := range entries {
				entries[i] = sqlEntry(uint64(i+2), "INSERT INTO t(v, n) VALUES (?, ?)", Text("value"), Integer(int64(i)))
			}
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				if _, err := sm.Apply(entries[i:min(i+batch, b.N)]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
		})
	}
}

// BenchmarkPlainSQLite is the baseline: the same inserts through
// database/sql and modernc.org/sqlite, with the same WAL and synchronous
// settings, one transaction per insert (autocommit) and 100 per transaction.
func BenchmarkPlainSQLite(b *testing.B) {
	for _, batch := range []int{1, 100} {
		name := "autocommit"
		if batch > 1 {
			name = "tx100"
		}
		b.Run(name, func(b *testing.B) {
			db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "plain.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			if _, err := db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, n INTEGER)"); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				tx, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				for j := i; j < min(i+batch, b.N); j++ {
					if _, err := tx.Exec("INSERT INTO t(v, n) VALUES (?, ?)", "value", j); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
		})
	}
}

// BenchmarkQueryPoint measures point reads of a 10,000-row table through
// QueryEach, each on a new goroutine as a served read runs (64 at a time
// in the parallel form), as the read path of a node runs them.
func BenchmarkQueryPoint(b *testing.B) {
	sm := openTest(b)
	mustExec(b, sm, "CREATE TABLE conc(id INTEGER PRIMARY KEY, k INTEGER, v TEXT)")
	mustExec(b, sm, "INSERT INTO conc(id, k, v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 10000) SELECT x, x * 7919 % 1000, 'v-' || x FROM c")
	ctx := context.Background()
	read := func(i int) error {
		done := make(chan error, 1)
		go func() {
			done <- sm.QueryEach(ctx, fmt.Sprintf("SELECT k, v FROM conc WHERE id = %d;", 1+i%10000), nil,
				func([]string) error { return nil }, func(context.Context, []Value) error { return nil })
		}()
		return <-done
	}
	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := read(i); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel64", func(b *testing.B) {
		b.SetParallelism(32)
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := read(int(next.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
