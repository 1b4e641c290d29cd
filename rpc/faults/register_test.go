package faults

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/resqlite/resqlite/rpc/client"
)

// regOp is a register operation's kind.
type regOp uint8

const (
	regRead regOp = iota
	regWrite
	regCAS
)

// regInput is an operation on register key: a read at level, a write of
// val, or a compare-and-set from old to val.
type regInput struct {
	op       regOp
	key      int
	val, old int64
	level    string
}

// regOutput is its result: the value read, whether a compare-and-set
// matched, and whether a write's outcome is unknown.
type regOutput struct {
	val     int64
	ok      bool
	unknown bool
}

// registerModel is a register per key, all starting at 0. A write whose
// outcome is unknown returns at the end of the history (registers.check),
// so porcupine may order it anywhere after its call, the end included,
// where it changes nothing anyone saw: that is "possibly applied".
var registerModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[int][]porcupine.Operation{}
		var keys []int
		for _, op := range history {
			k := op.Input.(regInput).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return int64(0) },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(int64), input.(regInput), output.(regOutput)
		switch in.op {
		case regRead:
			return out.val == s, s
		case regWrite:
			return true, in.val
		}
		switch {
		case out.unknown && s == in.old:
			return true, in.val
		case out.unknown:
			return true, s
		case out.ok:
			return s == in.old, in.val
		default:
			return s != in.old, s
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(regInput), output.(regOutput)
		switch {
		case in.op == regRead:
			return fmt.Sprintf("read[%s](k%d) -> %s", in.level, in.key, hexVal(out.val))
		case in.op == regWrite && out.unknown:
			return fmt.Sprintf("write(k%d, %s) unknown", in.key, hexVal(in.val))
		case in.op == regWrite:
			return fmt.Sprintf("write(k%d, %s)", in.key, hexVal(in.val))
		case out.unknown:
			return fmt.Sprintf("cas(k%d, %s -> %s) unknown", in.key, hexVal(in.old), hexVal(in.val))
		default:
			return fmt.Sprintf("cas(k%d, %s -> %s) = %v", in.key, hexVal(in.old), hexVal(in.val), out.ok)
		}
	},
	DescribeState: func(state any) string { return hexVal(state.(int64)) },
}

// hexVal shows a value as worker:seq.
func hexVal(v int64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%d:%d", v>>32-1, v&(1<<32-1))
}

// registers is the register workload: keys rows of r(k, v), written
// with UPDATE or INSERT OR REPLACE, compare-and-set with UPDATE … WHERE
// v = ? (one row affected: it matched), read at linearizable and lease
// level; the history is checked for linearizability.
type registers struct {
	keys int

	mu   sync.Mutex
	ops  []porcupine.Operation
	info porcupine.LinearizationInfo
	t    tally
}

func newRegisters(keys int) *registers { return &registers{keys: keys} }

func (r *registers) name() string  { return "registers" }
func (r *registers) tally() *tally { return &r.t }

func (r *registers) setup(ctx context.Context, c *client.Client) error {
	stmts := []client.Statement{{SQL: "CREATE TABLE r(k INTEGER PRIMARY KEY, v INTEGER NOT NULL)"}}
	for k := range r.keys {
		stmts = append(stmts, stmt("INSERT INTO r(k, v) VALUES(?, 0)", int64(k)))
	}
	_, err := execute(ctx, c, stmts...)
	return err
}

func (r *registers) run(stop context.Context, w worker) {
	var seq int64
	last := map[int]int64{}
	for stop.Err() == nil {
		key := w.rng.IntN(r.keys)
		switch p := w.rng.IntN(10); {
		case p < 4:
			r.read(w, key, w.level(), last)
		case p < 7:
			r.write(w, key, w.unique(&seq))
		default:
			r.cas(w, key, last[key], w.unique(&seq), last)
		}
	}
}

// read reads key at level; a failed read is counted, not recorded (it
// observed nothing).
func (r *registers) read(w worker, key int, level client.Consistency, last map[int]int64) {
	ctx, cancel := opContext()
	defer cancel()
	start := w.now()
	rows, err := w.c.Query(ctx, level, "SELECT v FROM r WHERE k = ?", intParams(int64(key))...)
	s := span{start, w.now()}
	if err == nil && (len(rows.Rows) != 1 || len(rows.Rows[0]) != 1) {
		err = fmt.Errorf("read of k%d returned %d rows", key, len(rows.Rows))
	}
	if r.t.record(false, s, err) != outOK {
		return
	}
	v := rows.Rows[0][0].Int
	last[key] = v
	r.add(w.id, regInput{op: regRead, key: key, level: levelName(level)}, regOutput{val: v}, s, false)
}

func (r *registers) write(w worker, key int, val int64) {
	ctx, cancel := opContext()
	defer cancel()
	sql := "UPDATE r SET v = ? WHERE k = ?"
	params := []int64{val, int64(key)}
	if w.rng.IntN(2) == 0 {
		sql, params = "INSERT OR REPLACE INTO r(k, v) VALUES(?, ?)", []int64{int64(key), val}
	}
	start := w.now()
	_, err := execute(ctx, w.c, stmt(sql, params...))
	s := span{start, w.now()}
	o := r.t.record(true, s, err)
	if o != outFailed {
		r.add(w.id, regInput{op: regWrite, key: key, val: val}, regOutput{unknown: o == outUnknown}, s, o == outUnknown)
	}
}

func (r *registers) cas(w worker, key int, old, val int64, last map[int]int64) {
	ctx, cancel := opContext()
	defer cancel()
	start := w.now()
	res, err := execute(ctx, w.c, stmt("UPDATE r SET v = ? WHERE k = ? AND v = ?", val, int64(key), old))
	s := span{start, w.now()}
	o := r.t.record(true, s, err)
	if o == outFailed {
		return
	}
	matched := o == outOK && len(res.Statements) == 1 && res.Statements[0].RowsAffected == 1
	if matched {
		last[key] = val
	}
	r.add(w.id, regInput{op: regCAS, key: key, val: val, old: old}, regOutput{ok: matched, unknown: o == outUnknown}, s, o == outUnknown)
}

// add records an operation; an unknown one's return is set at check.
func (r *registers) add(worker int, in regInput, out regOutput, s span, unknown bool) {
	ret := int64(s.end)
	if unknown {
		ret = -1
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, porcupine.Operation{ClientId: worker, Input: in, Output: out, Call: int64(s.start), Return: ret})
}

func (r *registers) final(ctx context.Context, c *client.Client) error { return nil }

// check runs porcupine over the history, unknown writes returning after
// everything else.
func (r *registers) check(timeout time.Duration) (string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := append([]porcupine.Operation(nil), r.ops...)
	var end int64
	for _, op := range ops {
		end = max(end, op.Call, op.Return)
	}
	for i := range ops {
		if ops[i].Return < 0 {
			ops[i].Return = end + 1
		}
	}
	res, info := porcupine.CheckOperationsVerbose(registerModel, ops, timeout)
	r.info = info
	switch res {
	case porcupine.Ok:
		return "linearizable", nil
	case porcupine.Illegal:
		return "NOT linearizable", []string{fmt.Sprintf("registers: the history of %d operations is not linearizable (see registers.html)", len(ops))}
	default:
		return fmt.Sprintf("unknown (checker gave up after %v)", timeout), nil
	}
}

// artifacts writes porcupine's visualization of the last check.
func (r *registers) artifacts(dir string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := porcupine.VisualizePath(registerModel, r.info, dir+"/registers.html"); err != nil {
		return fmt.Errorf("registers visualization: %w", err)
	}
	return nil
}

// levels counts the recorded reads by level, for the report.
func (r *registers) levels() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := map[string]int{}
	for _, op := range r.ops {
		if in := op.Input.(regInput); in.op == regRead {
			n[in.level]++
		}
	}
	var parts []string
	for _, l := range []string{"linearizable", "lease", "local"} {
		if n[l] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[l], l))
		}
	}
	return strings.Join(parts, ", ")
}
