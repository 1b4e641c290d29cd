package statemachine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// workloadSchema is the first entry of every random workload: triggers,
// defaults (deterministic and not), AUTOINCREMENT, a WITHOUT ROWID table
// and triggers that abort or roll back.
const workloadSchema = `
CREATE TABLE acct(id INTEGER PRIMARY KEY, name TEXT UNIQUE, bal INTEGER NOT NULL CHECK (bal >= 0),
	opened TEXT DEFAULT (date('2024-01-01', '+3 days')), tag DEFAULT (upper('x')));
CREATE TABLE audit(seq INTEGER PRIMARY KEY AUTOINCREMENT, acct INTEGER, delta INTEGER, at TEXT);
CREATE TRIGGER acct_audit AFTER UPDATE OF bal ON acct BEGIN
	INSERT INTO audit(acct, delta, at) VALUES (NEW.id, NEW.bal - OLD.bal, datetime('2024-01-01', '+' || NEW.id || ' hours'));
END;
CREATE TABLE kv(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
CREATE TABLE guarded(x INTEGER);
CREATE TRIGGER guard_neg BEFORE INSERT ON guarded WHEN NEW.x < 0 BEGIN SELECT RAISE(ROLLBACK, 'negative'); END;
CREATE TRIGGER guard_zero BEFORE INSERT ON guarded WHEN NEW.x = 0 BEGIN SELECT RAISE(ABORT, 'zero'); END;
CREATE TABLE rnd(x, y DEFAULT (random()));
`

// workload generates a seeded sequence of entries.
type workload struct {
	rng   *rand.Rand
	index uint64
	// time is the leader time of the last session entry; sessions are
	// the registrations so far, seqs the last seq generated per session.
	time     int64
	sessions []uint64
	seqs     map[uint64]uint64
}

func newWorkload(seed uint64) *workload {
	return &workload{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), time: t0, seqs: map[uint64]uint64{}}
}

// sessionCommand returns a registration or a session write: mostly the
// session's next seq, some repeats and gaps, acknowledged watermarks a
// few seqs behind, leader times that advance (sometimes past SessionTTL)
// and sometimes run behind.
func (w *workload) sessionCommand() Command {
	r := w.rng
	w.time += int64(r.IntN(5_000))
	if r.IntN(100) == 0 {
		// Every session expires; the last one stays in use a while,
		// refused as unknown.
		w.time += sessionTTLMillis
		w.sessions = w.sessions[max(0, len(w.sessions)-1):]
	}
	if len(w.sessions) == 0 || r.IntN(12) == 0 {
		w.sessions = append(w.sessions, w.index)
		return Command{Register: true, Time: w.time}
	}
	id := w.sessions[r.IntN(len(w.sessions))]
	seq := w.seqs[id] + 1
	switch r.IntN(10) {
	case 0:
		seq -= min(seq-1, uint64(1+r.IntN(3))) // a repeat
	case 1:
		seq += uint64(1 + r.IntN(2)) // a gap
	default:
		w.seqs[id] = seq
	}
	acked := seq - 1 - uint64(r.IntN(int(min(seq, 5))))
	c := Command{Session: &SessionTag{ClientID: id, Seq: seq, Acked: acked}, Time: w.time - int64(r.IntN(2000))}
	for range 1 + r.IntN(2) {
		c.Statements = append(c.Statements, w.statement())
	}
	return c
}

// statement returns one random statement, some of which fail.
func (w *workload) statement() Statement {
	r := w.rng
	name := Text("n" + strconv.Itoa(r.IntN(40)))
	switch r.IntN(16) {
	case 0, 1:
		return Statement{SQL: "INSERT INTO acct(name, bal) VALUES (?, ?) RETURNING id, opened, tag", Params: []Param{{Value: name}, {Value: Integer(int64(r.IntN(200) - 20))}}}
	case 2:
		return Statement{SQL: "INSERT OR ROLLBACK INTO acct(name, bal) VALUES (?, 5)", Params: []Param{{Value: name}}}
	case 3:
		return Statement{SQL: "INSERT INTO acct(name, bal) VALUES (:n, :b) ON CONFLICT(name) DO UPDATE SET bal = bal + excluded.bal",
			Params: []Param{{Name: ":n", Value: name}, {Name: ":b", Value: Integer(int64(r.IntN(50)))}}}
	case 4, 5:
		return Statement{SQL: "UPDATE acct SET bal = bal + ? WHERE id = ?", Params: []Param{{Value: Integer(int64(r.IntN(100) - 60))}, {Value: Integer(int64(r.IntN(30)))}}}
	case 6:
		return Statement{SQL: "DELETE FROM acct WHERE id = ?", Params: []Param{{Value: Integer(int64(r.IntN(30)))}}}
	case 7:
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return Statement{SQL: "INSERT OR REPLACE INTO kv VALUES (?, ?)", Params: []Param{{Value: name}, {Value: Blob(b)}}}
	case 8:
		return Statement{SQL: "INSERT INTO guarded VALUES (?)", Params: []Param{{Value: Integer(int64(r.IntN(6) - 1))}}}
	case 9:
		if r.IntN(2) == 0 {
			return Statement{SQL: "INSERT INTO rnd(x) VALUES (1)"} // uses the random() default: rejected
		}
		return Statement{SQL: "INSERT INTO rnd(x, y) VALUES (?, ?)", Params: []Param{{Value: Real(r.Float64())}, {Value: Text("given")}}}
	case 10:
		return Statement{SQL: "SELECT count(*), total(bal), max(id) FROM acct"}
	case 11:
		return Statement{SQL: "INSERT INTO acct(name, bal) VALUES ('r' || random(), 1)"}
	case 12:
		return Statement{SQL: "INSERT INTO kv VALUES (?, date(?))", Params: []Param{{Value: name}, {Value: Text([]string{"now", "2024-02-03", "2024-13-01"}[r.IntN(3)])}}}
	case 13:
		return Statement{SQL: "INSERT INTO acct(nme, bal) VALUES (1, 1)"} // no such column
	case 14:
		return Statement{SQL: "UPDATE acct SET bal = bal * 2 WHERE bal < 50 RETURNING id, bal"}
	default:
		return Statement{SQL: "SELECT a.name, count(au.seq) FROM acct a LEFT JOIN audit au ON au.acct = a.id GROUP BY a.id ORDER BY a.id LIMIT 3"}
	}
}

// next returns the next entry: mostly single statements, some blocks,
// session registrations and writes, malformed payloads, no-ops and
// configuration entries.
func (w *workload) next() raft.Entry {
	w.index++
	e := raft.Entry{Index: w.index, Term: 1, Type: raft.EntryNormal}
	if w.index == 1 {
		e.Data = EncodeCommand(Command{Statements: []Statement{{SQL: workloadSchema}}})
		return e
	}
	switch k := w.rng.IntN(40); {
	case k == 0:
		e.Type = raft.EntryNoop
	case k == 1:
		e.Type = raft.EntryConfig
		e.Data = []byte(fmt.Sprintf("config-%d", w.index))
	case k == 2:
		e.Data = []byte{1, 2, 3, 4, 5, 6, 7}
	case k < 10:
		var c Command
		for range 2 + w.rng.IntN(3) {
			c.Statements = append(c.Statements, w.statement())
		}
		e.Data = EncodeCommand(c)
	case k < 18:
		e.Data = EncodeCommand(w.sessionCommand())
	default:
		e.Data = EncodeCommand(Command{Statements: []Statement{w.statement()}})
	}
	return e
}

// workloadSize is the number of entries per seed: small in -short mode.
func workloadSize() int {
	if n, err := strconv.Atoi(os.Getenv("RESQLITE_WORKLOAD")); err == nil && n > 0 {
		return n
	}
	if testing.Short() {
		return 300
	}
	return 1500
}

// TestRandomWorkloadDeterminism applies the same seeded workload to three
// independent state machines — in random batches, one entry at a time, and
// in random batches with restarts and snapshot restores (which roll it
// back to the snapshot and make it apply the entries since again) — and
// checks identical results per entry and identical digests.
func TestRandomWorkloadDeterminism(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if s, err := strconv.ParseUint(os.Getenv("RESQLITE_SEED"), 10, 64); err == nil {
		seeds = []uint64{s}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			t.Logf("replay: RESQLITE_SEED=%d go test -run TestRandomWorkloadDeterminism ./statemachine", seed)
			runWorkload(t, seed, workloadSize())
		})
	}
}

func runWorkload(t *testing.T, seed uint64, n int) {
	w := newWorkload(seed)
	entries := make([]raft.Entry, n)
	for i := range entries {
		entries[i] = w.next()
	}
	rng := rand.New(rand.NewPCG(seed, 7))

	batched := openTest(t)
	resA := applyInBatches(t, batched, entries, rng, nil)
	single := openTest(t)
	resB := make([]any, 0, n)
	for _, e := range entries {
		r, err := single.Apply([]raft.Entry{e})
		if err != nil {
			t.Fatal(err)
		}
		resB = append(resB, r...)
	}
	chaos := &chaosMachine{t: t, dir: t.TempDir(), rng: rng}
	chaos.sm = openAt(t, chaos.dir)
	resC := applyInBatches(t, chaos.sm, entries, rng, chaos)

	failures := 0
	for i := range entries {
		if !reflect.DeepEqual(resA[i], resB[i]) || !reflect.DeepEqual(resA[i], resC[i]) {
			t.Errorf("entry %d: results differ:\nbatched %s\nsingle  %s\nchaos   %s", entries[i].Index, show(resA[i]), show(resB[i]), show(resC[i]))
			if failures++; failures > 3 {
				t.FailNow()
			}
		}
	}
	da, db, dc := digest(t, batched), digest(t, single), digest(t, chaos.sm)
	if da != db || da != dc {
		t.Fatalf("digests differ: batched %v, single %v, chaos %v", da, db, dc)
	}
	if da.Index != uint64(n) {
		t.Fatalf("digest index %d, want %d", da.Index, n)
	}
	t.Logf("%d entries, %d restarts, %d restores, digest %v, %s", n, chaos.restarts, chaos.restores, da, outcomeCounts(resA))
}

// chaosMachine restarts its state machine and restores snapshots at random
// points between batches.
type chaosMachine struct {
	t                  *testing.T
	dir                string
	sm                 *StateMachine
	rng                *rand.Rand
	snap               []byte
	snapIndex          uint64
	restarts, restores int
}

// between runs after a batch; it returns the index to continue after.
func (c *chaosMachine) between() uint64 {
	switch c.rng.IntN(12) {
	case 0:
		c.sm.Close()
		c.sm = openAt(c.t, c.dir)
		c.restarts++
	case 1, 2:
		var buf bytes.Buffer
		idx, err := c.sm.Snapshot(&buf)
		if err != nil {
			c.t.Fatal(err)
		}
		c.snap, c.snapIndex = buf.Bytes(), idx
	case 3:
		if c.snap != nil {
			// Restore into a fresh machine half the time, into the live one
			// otherwise (rolling it back to the snapshot).
			if c.rng.IntN(2) == 0 {
				c.sm.Close()
				c.dir = c.t.TempDir()
				c.sm = openAt(c.t, c.dir)
			}
			if err := c.sm.Restore(bytes.NewReader(c.snap)); err != nil {
				c.t.Fatal(err)
			}
			if c.sm.AppliedIndex() != c.snapIndex {
				c.t.Fatalf("restored to %d, want %d", c.sm.AppliedIndex(), c.snapIndex)
			}
			c.restores++
		}
	}
	return c.sm.AppliedIndex()
}

// applyInBatches applies entries in random batches and returns the result
// per entry. With chaos, the machine may move back after a batch; the
// entries since are applied again and their results must not change.
func applyInBatches(t *testing.T, sm *StateMachine, entries []raft.Entry, rng *rand.Rand, chaos *chaosMachine) []any {
	results := make([]any, len(entries))
	seen := make([]bool, len(entries))
	for next := 0; next < len(entries); {
		end := min(len(entries), next+1+rng.IntN(20))
		if chaos != nil {
			sm = chaos.sm
		}
		res, err := sm.Apply(entries[next:end])
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			j := next + i
			if seen[j] && !reflect.DeepEqual(results[j], r) {
				t.Fatalf("entry %d applied again after a restore gave %s, first %s", entries[j].Index, show(r), show(results[j]))
			}
			results[j], seen[j] = r, true
		}
		next = end
		if chaos != nil {
			next = int(chaos.between())
		}
	}
	return results
}

func show(r any) string {
	res, ok := r.(*Result)
	if !ok || res == nil {
		return fmt.Sprint(r)
	}
	s := fmt.Sprintf("index %d", res.Index)
	for _, st := range res.Statements {
		s += fmt.Sprintf(" [changes %d rowid %d cols %v rows %v]", st.RowsAffected, st.LastInsertRowID, st.Columns, st.Rows)
	}
	if res.Err != nil {
		s += " err: " + res.Err.Error()
	}
	if res.SessionID != 0 || res.Repeat || res.NotRetained {
		s += fmt.Sprintf(" session %d repeat %v not retained %v", res.SessionID, res.Repeat, res.NotRetained)
	}
	if res.SessionErr != nil {
		s += " session err: " + res.SessionErr.Error()
	}
	return s
}

// outcomeCounts summarizes the results so the log shows that the workload
// exercised successes and each kind of failure.
func outcomeCounts(results []any) string {
	counts := map[string]int{}
	for _, r := range results {
		res, ok := r.(*Result)
		switch {
		case !ok:
			counts["no result"]++
		case res.SessionErr != nil:
			counts[fmt.Sprintf("session error %d", res.SessionErr.Kind)]++
		case res.Repeat:
			counts["repeat"]++
		case res.SessionID != 0:
			counts["registration"]++
		case res.Err == nil:
			counts["ok"]++
		default:
			counts[res.Err.Kind.String()]++
		}
	}
	return fmt.Sprint(counts)
}
