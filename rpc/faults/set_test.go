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

// set is the insert-only set workload: every worker inserts ids no one
// else uses into s(id), a table without a key so that an insert applied
// twice shows twice, and after each acknowledged insert reads it back at
// local level, which the session's index makes read-your-writes. After
// healing one linearizable read of the whole table must hold every
// acknowledged id once, no id twice and no id never inserted.
type set struct {
	mu        sync.Mutex
	attempted map[int64]bool
	acked     map[int64]bool
	ryw       []string
	got       []int64
	t         tally
}

func newSet() *set { return &set{attempted: map[int64]bool{}, acked: map[int64]bool{}} }

func (s *set) name() string  { return "set" }
func (s *set) tally() *tally { return &s.t }

func (s *set) setup(ctx context.Context, c *client.Client) error {
	_, err := execute(ctx, c, client.Statement{SQL: "CREATE TABLE s(id INTEGER NOT NULL)"})
	return err
}

func (s *set) run(stop context.Context, w worker) {
	var seq int64
	for stop.Err() == nil {
		id := w.unique(&seq)
		s.mu.Lock()
		s.attempted[id] = true
		s.mu.Unlock()
		if s.insert(w, id) {
			s.readOwn(w, id)
		}
	}
}

// insert inserts id and reports whether it was acknowledged.
func (s *set) insert(w worker, id int64) bool {
	ctx, cancel := opContext()
	defer cancel()
	start := w.now()
	_, err := execute(ctx, w.c, stmt("INSERT INTO s(id) VALUES(?)", id))
	if s.t.record(true, span{start, w.now()}, err) != outOK {
		return false
	}
	s.mu.Lock()
	s.acked[id] = true
	s.mu.Unlock()
	return true
}

// readOwn reads id back at local level: the session must see its write.
func (s *set) readOwn(w worker, id int64) {
	ctx, cancel := opContext()
	defer cancel()
	start := w.now()
	rows, err := w.c.Query(ctx, client.Local, "SELECT count(*) FROM s WHERE id = ?", intParams(id)...)
	if s.t.record(false, span{start, w.now()}, err) != outOK {
		return
	}
	if n := rows.Rows[0][0].Int; n != 1 {
		s.mu.Lock()
		s.ryw = append(s.ryw, fmt.Sprintf("set: worker %d's local read at %v after its acknowledged insert of %s found it %d times", w.id, start, hexVal(id), n))
		s.mu.Unlock()
	}
}

func (s *set) final(ctx context.Context, c *client.Client) error {
	rows, err := c.Query(ctx, client.Linearizable, "SELECT id FROM s")
	if err != nil {
		return fmt.Errorf("set: final read: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rows.Rows {
		s.got = append(s.got, r[0].Int)
	}
	return nil
}

func (s *set) check(time.Duration) (string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := append(checkSet(s.attempted, s.acked, s.got), s.ryw...)
	if len(v) > 0 {
		return fmt.Sprintf("%d VIOLATIONS", len(v)), v
	}
	return fmt.Sprintf("ok (%d ids)", len(s.got)), nil
}

// checkSet compares the final read got with what was attempted and
// acknowledged: an acknowledged id missing is lost, an id present twice
// is duplicated, an id never attempted is invented.
func checkSet(attempted, acked map[int64]bool, got []int64) []string {
	count := map[int64]int{}
	for _, id := range got {
		count[id]++
	}
	var v []string
	for id := range acked {
		if count[id] == 0 {
			v = append(v, fmt.Sprintf("set: acknowledged id %s lost", hexVal(id)))
		}
	}
	for id, n := range count {
		switch {
		case !attempted[id]:
			v = append(v, fmt.Sprintf("set: id %s never inserted but read %d times (invented)", hexVal(id), n))
		case n > 1:
			v = append(v, fmt.Sprintf("set: id %s read %d times (duplicated)", hexVal(id), n))
		}
	}
	return v
}

func (s *set) artifacts(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "attempted %d, acknowledged %d, final read %d rows\n", len(s.attempted), len(s.acked), len(s.got))
	for _, id := range s.got {
		fmt.Fprintf(&b, "%s\n", hexVal(id))
	}
	return os.WriteFile(filepath.Join(dir, "set-final-read.txt"), []byte(b.String()), 0o644)
}
