package statemachine

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dateTimeFunctions are SQLite's date and time functions. They are
// deterministic given an explicit time value and no host-dependent
// modifier; the authorizer sees only their names, so the apply connection
// overrides them with versions that check their arguments.
func dateTimeFunctions() []string {
	return []string{"date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff"}
}

// clockGuard checks the arguments of the date/time functions on the apply
// connection and delegates the computation to the built-in functions of a
// private in-memory connection that has no overrides.
type clockGuard struct {
	delegate *conn
	stmts    map[string]uintptr
}

// newApplyDriver returns the driver that opens apply connections: the
// date/time functions are replaced by g's checked versions, registered as
// deterministic so that indexes and generated columns can still use them.
func newApplyDriver(g *clockGuard) (*sqlite.Driver, error) {
	d := &sqlite.Driver{}
	for _, name := range dateTimeFunctions() {
		impl := &sqlite.FunctionImpl{
			NArgs:         -1,
			Deterministic: true,
			Scalar: func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
				return g.call(name, args)
			},
		}
		if err := d.RegisterFunction(name, impl); err != nil {
			return nil, fmt.Errorf("override %s(): %w", name, err)
		}
	}
	// For writes from RulesV5 on (serieswrite.go).
	if err := RegisterGenerateSeries(d); err != nil {
		return nil, err
	}
	return d, nil
}

// newClockGuard opens the delegate connection.
func newClockGuard() (*clockGuard, error) {
	c, err := openConn(&sqlite.Driver{}, ":memory:")
	if err != nil {
		return nil, fmt.Errorf("date/time delegate: %w", err)
	}
	return &clockGuard{delegate: c, stmts: map[string]uintptr{}}, nil
}

func (g *clockGuard) close() error {
	for _, s := range g.stmts {
		g.delegate.finalize(s)
	}
	g.stmts = nil
	return g.delegate.close()
}

// call checks a call of the date/time function name and computes it.
func (g *clockGuard) call(name string, args []driver.Value) (driver.Value, error) {
	if err := checkClockArgs(name, args); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s/%d", name, len(args))
	stmt, ok := g.stmts[key]
	if !ok {
		placeholders := strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")
		s, _, err := g.delegate.prepare(fmt.Sprintf("SELECT %s(%s)", name, placeholders))
		if err != nil {
			return nil, err
		}
		g.stmts[key] = s
		stmt = s
	}
	c := g.delegate
	defer sqlite3.Xsqlite3_reset(c.tls, stmt)
	defer sqlite3.Xsqlite3_clear_bindings(c.tls, stmt)
	for i, a := range args {
		if rc := c.bindValue(stmt, int32(i+1), valueOf(a)); rc != sqlite3.SQLITE_OK {
			return nil, c.lastError(rc)
		}
	}
	rc := sqlite3.Xsqlite3_step(c.tls, stmt)
	if rc != sqlite3.SQLITE_ROW {
		return nil, c.lastError(rc)
	}
	v := c.row(stmt, 1)[0]
	switch v.Type {
	case TypeInteger:
		return v.Int, nil
	case TypeReal:
		return v.Real, nil
	case TypeText:
		return v.Text, nil
	case TypeBlob:
		return v.Blob, nil
	}
	return nil, nil
}

// checkClockArgs rejects the calls whose result depends on the host: no
// time value, the time value 'now', or the 'localtime'/'utc' modifiers.
func checkClockArgs(name string, args []driver.Value) error {
	values, mods := args, []driver.Value(nil)
	switch name {
	case "strftime":
		if len(args) < 2 {
			return clockError(name, "without a time value it reads the clock")
		}
		values, mods = args[1:2], args[2:]
	case "timediff":
		if len(args) != 2 {
			return nil // the built-in reports the argument count
		}
	default:
		if len(args) == 0 {
			return clockError(name, "without a time value it reads the clock")
		}
		values, mods = args[:1], args[1:]
	}
	for _, v := range values {
		if s, ok := textOf(v); ok && strings.EqualFold(strings.TrimSpace(s), "now") {
			return clockError(name, "'now' reads the clock")
		}
	}
	for _, m := range mods {
		if s, ok := textOf(m); ok {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "localtime", "utc":
				return clockError(name, fmt.Sprintf("the '%s' modifier depends on the node's time zone", strings.TrimSpace(s)))
			}
		}
	}
	return nil
}

func clockError(name, why string) error {
	return fmt.Errorf("%s() is not allowed in a write here: %s, so nodes would diverge; pass an explicit time value", name, why)
}

func textOf(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// valueOf converts a function argument to a Value.
func valueOf(v driver.Value) Value {
	switch x := v.(type) {
	case int64:
		return Integer(x)
	case float64:
		return Real(x)
	case string:
		return Text(x)
	case []byte:
		return Blob(x)
	}
	return Null()
}
