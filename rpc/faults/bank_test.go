package faults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// bank is the bank workload: accounts rows of a(id, b), each starting
// with bankInitial; transfers move a random amount between two accounts
// in one entry (a BEGIN…COMMIT block: both UPDATEs or neither), reads at
// linearizable and lease level see every balance, whose total must never
// change.
type bank struct {
	accounts int

	mu    sync.Mutex
	reads []bankRead
	t     tally
}

// bankRead is one read of every balance.
type bankRead struct {
	at       time.Duration
	level    string
	balances []int64
}

const bankInitial = 100

func newBank(accounts int) *bank { return &bank{accounts: accounts} }

func (b *bank) name() string  { return "bank" }
func (b *bank) tally() *tally { return &b.t }

func (b *bank) setup(ctx context.Context, c *client.Client) error {
	stmts := []client.Statement{{SQL: "CREATE TABLE a(id INTEGER PRIMARY KEY, b INTEGER NOT NULL)"}}
	for id := range b.accounts {
		stmts = append(stmts, stmt("INSERT INTO a(id, b) VALUES(?, ?)", int64(id), bankInitial))
	}
	_, err := execute(ctx, c, stmts...)
	return err
}

func (b *bank) run(stop context.Context, w worker) {
	for stop.Err() == nil {
		if w.rng.IntN(2) == 0 {
			b.transfer(w)
		} else {
			b.read(w, w.level())
		}
	}
}

func (b *bank) transfer(w worker) {
	from := w.rng.IntN(b.accounts)
	to := (from + 1 + w.rng.IntN(b.accounts-1)) % b.accounts
	amount := int64(1 + w.rng.IntN(20))
	ctx, cancel := opContext()
	defer cancel()
	start := w.now()
	_, err := execute(ctx, w.c,
		stmt("UPDATE a SET b = b - ? WHERE id = ?", amount, int64(from)),
		stmt("UPDATE a SET b = b + ? WHERE id = ?", amount, int64(to)))
	b.t.record(true, span{start, w.now()}, err)
}

func (b *bank) read(w worker, level client.Consistency) {
	ctx, cancel := opContext()
	defer cancel()
	start := w.now()
	rows, err := w.c.Query(ctx, level, "SELECT b FROM a ORDER BY id")
	if b.t.record(false, span{start, w.now()}, err) != outOK {
		return
	}
	b.add(start, levelName(level), rows)
}

func (b *bank) add(at time.Duration, level string, rows *client.Rows) {
	r := bankRead{at: at, level: level}
	for _, row := range rows.Rows {
		r.balances = append(r.balances, row[0].Int)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reads = append(b.reads, r)
}

func (b *bank) final(ctx context.Context, c *client.Client) error {
	rows, err := c.Query(ctx, client.Linearizable, "SELECT b FROM a ORDER BY id")
	if err != nil {
		return fmt.Errorf("bank: final read: %w", err)
	}
	b.add(-1, "linearizable (final)", rows)
	return nil
}

func (b *bank) check(time.Duration) (string, []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v := checkBank(b.reads, b.accounts, int64(b.accounts)*bankInitial)
	if len(v) > 0 {
		return fmt.Sprintf("%d VIOLATIONS", len(v)), v
	}
	return fmt.Sprintf("ok (%d reads)", len(b.reads)), nil
}

// checkBank checks that every read saw every account and the total.
func checkBank(reads []bankRead, accounts int, total int64) []string {
	var v []string
	for _, r := range reads {
		var sum int64
		for _, x := range r.balances {
			sum += x
		}
		if len(r.balances) != accounts || sum != total {
			v = append(v, fmt.Sprintf("bank: %s read at %v saw %d accounts totalling %d, want %d totalling %d: %v",
				r.level, r.at, len(r.balances), sum, accounts, total, r.balances))
		}
	}
	return v
}

func (b *bank) artifacts(dir string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var s strings.Builder
	for _, r := range b.reads {
		fmt.Fprintf(&s, "%v %s %v\n", r.at, r.level, r.balances)
	}
	return os.WriteFile(filepath.Join(dir, "bank-reads.txt"), []byte(s.String()), 0o644)
}
