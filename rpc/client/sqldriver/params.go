package sqldriver

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// timeFormat is how a time.Time argument is stored: as TEXT that SQLite's
// date and time functions read.
const timeFormat = "2006-01-02 15:04:05.999999999-07:00"

// bindParams turns database/sql arguments into the protocol's parameters:
// an unnamed argument binds the statement's next unnamed parameter (?,
// ?NNN, in index order, so ?NNN takes argument NNN); a named one
// (sql.Named("id", v)) binds :id, @id and $id, whichever the statement
// uses. A name the statement does not use is sent as :name, which the
// node refuses with "no parameter named :name".
//
// A statement whose parameters are all unnamed must get exactly as many
// arguments as it numbers: SQLite would bind NULL to the missing ones.
func bindParams(query string, args []driver.NamedValue) ([]client.Param, error) {
	ph := scanPlaceholders(query)
	if len(ph.named) == 0 && !hasNamed(args) && len(args) != ph.positional {
		return nil, fmt.Errorf("sqldriver: the statement takes %d arguments, got %d", ph.positional, len(args))
	}
	out := make([]client.Param, 0, len(args))
	for _, a := range args {
		v, err := toValue(a.Value)
		if err != nil {
			return nil, fmt.Errorf("sqldriver: argument %d: %w", a.Ordinal, err)
		}
		if a.Name == "" {
			out = append(out, client.Param{Value: v})
			continue
		}
		forms := ph.named[a.Name]
		if len(forms) == 0 {
			forms = []string{":" + a.Name}
		}
		for _, f := range forms {
			out = append(out, client.Param{Name: f, Value: v})
		}
	}
	return out, nil
}

func hasNamed(args []driver.NamedValue) bool {
	for _, a := range args {
		if a.Name != "" {
			return true
		}
	}
	return false
}

// toValue converts one argument, as database/sql's default converter
// leaves it, to an SQLite value. A []byte is copied: inside a
// transaction it is kept until Commit.
func toValue(v driver.Value) (client.Value, error) {
	switch x := v.(type) {
	case nil:
		return sqlval.Null(), nil
	case int64:
		return sqlval.Integer(x), nil
	case float64:
		return sqlval.Real(x), nil
	case bool:
		if x {
			return sqlval.Integer(1), nil
		}
		return sqlval.Integer(0), nil
	case string:
		return sqlval.Text(x), nil
	case []byte:
		return sqlval.Blob(bytes.Clone(x)), nil
	case time.Time:
		return sqlval.Text(x.Format(timeFormat)), nil
	}
	return client.Value{}, fmt.Errorf("unsupported type %T", v)
}
