package statemachine

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"modernc.org/sqlite"
	"modernc.org/sqlite/vtab"
)

// generate_series: the table-valued function of SQLite's series.c
// extension, which the sqlite3 CLI 3.40 builds in and modernc.org/sqlite
// does not. Read connections get it as a TEMP virtual table named
// generate_series (the Go bridge's modules are not eponymous); the apply
// connection gets it from RulesV5 on, only for the statement that names
// it (serieswrite.go), so under older rules a write that names it fails
// as before on every replica. SQLite finds a TEMP table before a main
// one, so while the user has an object named generate_series the read
// transaction drops the connection's (readtx.go), apply makes none, and
// the user's comes first, as in sqlite3.

// seriesModuleName is the module the TEMP table is made with.
const seriesModuleName = "resqlite_series"

// CreateGenerateSeries makes generate_series on a connection whose driver
// RegisterGenerateSeries prepared.
const CreateGenerateSeries = "CREATE VIRTUAL TABLE temp.generate_series USING " + seriesModuleName

// RegisterGenerateSeries registers generate_series's module on d, for the
// connections d opens (which then run CreateGenerateSeries).
func RegisterGenerateSeries(d *sqlite.Driver) error {
	if err := d.RegisterModule(seriesModuleName, seriesModule{}); err != nil {
		return fmt.Errorf("register generate_series: %w", err)
	}
	return nil
}

// seriesSchema is series.c's: value, then the hidden arguments.
const seriesSchema = "CREATE TABLE x(value, start HIDDEN, stop HIDDEN, step HIDDEN)"

// The columns of seriesSchema.
const (
	seriesValue = iota
	seriesStart
	seriesStop
	seriesStep
)

// idxNum bits, as series.c's: start, stop, step given; descending;
// ascending (ORDER BY value consumed).
const (
	seriesHasStart = 1 << iota
	seriesHasStop
	seriesHasStep
	seriesDesc
	seriesAsc
)

type seriesModule struct{}

func (seriesModule) Create(ctx vtab.Context, _ []string) (vtab.Table, error) {
	if err := ctx.Declare(seriesSchema); err != nil {
		return nil, err
	}
	return seriesTable{}, nil
}

func (m seriesModule) Connect(ctx vtab.Context, args []string) (vtab.Table, error) {
	return m.Create(ctx, args)
}

type seriesTable struct{}

// BestIndex is series.c's seriesBestIndex (3.40): equality constraints on
// start, stop and step become Filter's arguments, in that order; a plan
// without a usable start is an error, one that leaves an argument
// unusable is made too costly to choose (series.c refuses it with
// SQLITE_CONSTRAINT, which the Go bridge cannot return).
func (seriesTable) BestIndex(info *vtab.IndexInfo) error {
	idxNum, unusable := 0, 0
	startSeen := false
	at := [3]int{-1, -1, -1}
	for i, c := range info.Constraints {
		if c.Column < seriesStart {
			continue
		}
		col := c.Column - seriesStart
		if col == 0 {
			startSeen = true
		}
		switch {
		case !c.Usable:
			unusable |= 1 << col
		case c.Op == vtab.OpEQ:
			idxNum |= 1 << col
			at[col] = i
		}
	}
	n := 0
	for _, i := range at {
		if i >= 0 {
			info.Constraints[i].ArgIndex = n
			info.Constraints[i].Omit = true
			n++
		}
	}
	if !startSeen {
		return errors.New(`first argument to "generate_series()" missing or unusable`)
	}
	if unusable&^idxNum != 0 {
		info.EstimatedCost = math.MaxFloat64 / 4
		info.EstimatedRows = math.MaxInt64 / 4
		info.IdxNum = int64(idxNum)
		return nil
	}
	if idxNum&3 == 3 {
		info.EstimatedCost = 2
		if idxNum&seriesHasStep != 0 {
			info.EstimatedCost = 1
		}
		info.EstimatedRows = 1000
		if len(info.OrderBy) >= 1 && info.OrderBy[0].Column == seriesValue {
			if info.OrderBy[0].Desc {
				idxNum |= seriesDesc
			} else {
				idxNum |= seriesAsc
			}
			info.OrderByConsumed = true
		}
	} else {
		info.EstimatedRows = math.MaxInt32
	}
	info.IdxNum = int64(idxNum)
	return nil
}

func (seriesTable) Open() (vtab.Cursor, error) { return &seriesCursor{}, nil }
func (seriesTable) Disconnect() error          { return nil }
func (seriesTable) Destroy() error             { return nil }

// seriesCursor walks min..max by step, upward or (desc) downward.
type seriesCursor struct {
	start, stop, step int64 // the arguments as Filter resolved them
	value             int64
	rowid             int64
	desc, eof         bool
}

// Filter is series.c's seriesFilter (3.40): start defaults to 0, stop to
// 4294967295, step to 1 (0 counts as 1; a negative step walks the same
// values downward); any NULL argument gives no rows.
func (c *seriesCursor) Filter(idxNum int, _ string, vals []vtab.Value) error {
	c.start, c.stop, c.step = 0, 0xffffffff, 1
	i := 0
	next := func() int64 { v := sqliteInt64(vals[i]); i++; return v }
	if idxNum&seriesHasStart != 0 {
		c.start = next()
	}
	if idxNum&seriesHasStop != 0 {
		c.stop = next()
	}
	if idxNum&seriesHasStep != 0 {
		c.step = next()
		if c.step == 0 {
			c.step = 1
		} else if c.step < 0 {
			c.step = -c.step
			if c.step < 0 { // math.MinInt64
				c.step = math.MaxInt64
			}
			if idxNum&seriesAsc == 0 {
				idxNum |= seriesDesc
			}
		}
	}
	for _, v := range vals {
		if v == nil {
			c.start, c.stop, c.step = 1, 0, 1
		}
	}
	c.rowid, c.eof = 1, c.start > c.stop
	c.desc = idxNum&seriesDesc != 0
	c.value = c.start
	if c.desc {
		c.value = c.stop - int64(uint64(c.stop-c.start)%uint64(c.step))
	}
	return nil
}

// Next steps by step; a value that would overflow ends the series (the
// C code wraps around).
func (c *seriesCursor) Next() error {
	c.rowid++
	if c.desc {
		if c.value < c.start+c.step || c.value-c.step < c.start {
			c.eof = true
		}
		c.value -= c.step
	} else {
		if c.value > math.MaxInt64-c.step || c.value+c.step > c.stop {
			c.eof = true
		}
		c.value += c.step
	}
	return nil
}

func (c *seriesCursor) Eof() bool { return c.eof }

func (c *seriesCursor) Column(col int) (vtab.Value, error) {
	switch col {
	case seriesStart:
		return c.start, nil
	case seriesStop:
		return c.stop, nil
	case seriesStep:
		return c.step, nil
	}
	return c.value, nil
}

func (c *seriesCursor) Rowid() (int64, error) { return c.rowid, nil }
func (c *seriesCursor) Close() error          { return nil }

// sqliteInt64 is sqlite3_value_int64 of an argument: REALs truncated,
// text and blobs by their leading integer, NULL 0.
func sqliteInt64(v vtab.Value) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		switch {
		case math.IsNaN(v):
			return 0
		case v >= math.MaxInt64:
			return math.MaxInt64
		case v <= math.MinInt64:
			return math.MinInt64
		}
		return int64(v)
	case string:
		return leadingInt64(v)
	case []byte:
		return leadingInt64(string(v))
	}
	return 0
}

// leadingInt64 reads the integer at the start of s, after spaces, as
// SQLite's text-to-integer conversion does (0 when there is none).
func leadingInt64(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\f\r")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(s, "-") {
				return math.MinInt64
			}
			return math.MaxInt64
		}
		return 0
	}
	return n
}
