package statemachine

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// conn is one SQLite connection used through SQLite's C API (as transpiled
// by modernc.org/sqlite/lib). It is opened by a modernc.org/sqlite Driver,
// which registers functions and the authorizer on it; statements are then
// prepared and stepped directly so that results keep SQLite's own value
// types and the connection's transaction state stays visible.
//
// A conn is used by one goroutine at a time.
type conn struct {
	drv driver.Conn
	tls *libc.TLS
	db  uintptr
	// defensive is SQLite's defensive mode as setDefensive last set it
	// (defensiveKnown) (shadow.go).
	defensive, defensiveKnown bool
}

// openConn opens dsn with d and exposes the connection's C handle.
func openConn(d *sqlite.Driver, dsn string) (*conn, error) {
	dc, err := d.Open(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	c, err := rawHandles(dc)
	if err != nil {
		dc.Close()
		return nil, err
	}
	return c, nil
}

// rawHandles reads the sqlite3* handle and the libc TLS of a
// modernc.org/sqlite connection. The driver does not export them; the
// field names are those of modernc.org/sqlite v1.62 and a test guards them.
func rawHandles(dc driver.Conn) (*conn, error) {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("unexpected modernc.org/sqlite connection type %T", dc)
	}
	db := v.Elem().FieldByName("db")
	tls := v.Elem().FieldByName("tls")
	if !db.IsValid() || db.Kind() != reflect.Uintptr || !tls.IsValid() || tls.Type() != reflect.TypeFor[*libc.TLS]() {
		return nil, fmt.Errorf("unsupported modernc.org/sqlite connection layout %T", dc)
	}
	c := &conn{drv: dc, db: uintptr(db.Uint()), tls: (*libc.TLS)(tls.UnsafePointer())}
	if c.db == 0 || c.tls == nil {
		return nil, errors.New("modernc.org/sqlite connection has no handle")
	}
	return c, nil
}

// close closes the connection; statements must be finalized first.
func (c *conn) close() error {
	if c == nil || c.drv == nil {
		return nil
	}
	err := c.drv.Close()
	c.drv = nil
	return err
}

// registerAuthorizer installs fn as the connection's authorizer.
func (c *conn) registerAuthorizer(fn sqlite.AuthorizerFn) error {
	r, ok := c.drv.(sqlite.AuthorizerRegisterer)
	if !ok {
		return errors.New("modernc.org/sqlite connection has no authorizer")
	}
	return r.RegisterAuthorizer(fn)
}

// backuper is the backup part of a modernc.org/sqlite connection.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
	NewRestore(srcURI string) (*sqlite.Backup, error)
}

// sqliteError is an error reported by SQLite: the extended result code and
// the message.
type sqliteError struct {
	code   int
	msg    string
	offset int
}

func (e *sqliteError) Error() string {
	return fmt.Sprintf("%s (%d)", e.msg, e.code)
}

// lastError returns the connection's last error for result code rc.
func (c *conn) lastError(rc int32) *sqliteError {
	code := int(sqlite3.Xsqlite3_extended_errcode(c.tls, c.db))
	if code&0xff != int(rc)&0xff {
		code = int(rc)
	}
	msg := libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	if msg == "" || msg == "not an error" {
		msg = libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	}
	return &sqliteError{code: code, msg: msg, offset: int(sqlite3.Xsqlite3_error_offset(c.tls, c.db))}
}

// prepare compiles the first statement of sql. It returns the statement
// handle (0 if sql holds only whitespace and comments) and the byte length
// of sql it consumed.
func (c *conn) prepare(sql string) (stmt uintptr, consumed int, err error) {
	if strings.IndexByte(sql, 0) >= 0 {
		return 0, 0, &sqliteError{code: sqlite3.SQLITE_ERROR, msg: "SQL text contains a NUL byte"}
	}
	z, cerr := libc.CString(sql)
	if cerr != nil {
		return 0, 0, fmt.Errorf("prepare: %w", cerr)
	}
	defer libc.Xfree(c.tls, z)
	out := c.tls.Alloc(16)
	defer c.tls.Free(16)
	ppStmt, pzTail := out, out+8
	*(*uintptr)(ptr(ppStmt)) = 0
	*(*uintptr)(ptr(pzTail)) = 0
	rc := sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, z, int32(len(sql)), ppStmt, pzTail)
	if rc != sqlite3.SQLITE_OK {
		return 0, 0, c.lastError(rc)
	}
	stmt = *(*uintptr)(ptr(ppStmt))
	tail := *(*uintptr)(ptr(pzTail))
	consumed = len(sql)
	if tail != 0 {
		consumed = int(tail - z)
	}
	return stmt, consumed, nil
}

// finalize releases a prepared statement.
func (c *conn) finalize(stmt uintptr) {
	if stmt != 0 {
		sqlite3.Xsqlite3_finalize(c.tls, stmt)
	}
}

// exec runs sql (one or more statements without parameters) and discards
// any rows.
func (c *conn) exec(sql string) error {
	for rest := sql; strings.TrimSpace(rest) != ""; {
		stmt, n, err := c.prepare(rest)
		if err != nil {
			return err
		}
		rest = rest[n:]
		if stmt == 0 {
			if n == 0 {
				break
			}
			continue
		}
		for {
			rc := sqlite3.Xsqlite3_step(c.tls, stmt)
			if rc == sqlite3.SQLITE_ROW {
				continue
			}
			if rc != sqlite3.SQLITE_DONE {
				err := c.lastError(rc)
				c.finalize(stmt)
				return err
			}
			break
		}
		c.finalize(stmt)
	}
	return nil
}

// scan runs one statement on c and calls fn for every row; an error of fn
// stops the statement and is returned.
func (c *conn) scan(sql string, fn func([]Value) error) error {
	stmt, _, err := c.prepare(sql)
	if err != nil {
		return err
	}
	defer c.finalize(stmt)
	n := -1
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc {
		case sqlite3.SQLITE_ROW:
			if n < 0 { // after the first step: see reader.query
				n = int(sqlite3.Xsqlite3_column_count(c.tls, stmt))
			}
			if err := fn(c.row(stmt, n)); err != nil {
				return err
			}
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return c.lastError(rc)
		}
	}
}

// bind binds params to stmt: named ones by name (with their prefix, as in
// ":name"), positional ones to the statement's unnamed parameters ("?" and
// "?NNN") in index order.
func (c *conn) bind(stmt uintptr, params []Param) error {
	n := int(sqlite3.Xsqlite3_bind_parameter_count(c.tls, stmt))
	var slots []int32
	pos := 0
	for _, p := range params {
		var idx int32
		if p.Name == "" {
			if slots == nil {
				slots = make([]int32, 0, n)
				for i := int32(1); i <= int32(n); i++ {
					name := libc.GoString(sqlite3.Xsqlite3_bind_parameter_name(c.tls, stmt, i))
					if name == "" || name[0] == '?' {
						slots = append(slots, i)
					}
				}
			}
			if pos >= len(slots) {
				return &sqliteError{code: sqlite3.SQLITE_RANGE, msg: fmt.Sprintf("too many positional parameters: the statement takes %d", len(slots))}
			}
			idx = slots[pos]
			pos++
		} else {
			z, err := libc.CString(p.Name)
			if err != nil {
				return fmt.Errorf("bind: %w", err)
			}
			idx = sqlite3.Xsqlite3_bind_parameter_index(c.tls, stmt, z)
			libc.Xfree(c.tls, z)
			if idx == 0 {
				return &sqliteError{code: sqlite3.SQLITE_RANGE, msg: fmt.Sprintf("no parameter named %s", p.Name)}
			}
		}
		if rc := c.bindValue(stmt, idx, p.Value); rc != sqlite3.SQLITE_OK {
			return c.lastError(rc)
		}
	}
	return nil
}

func (c *conn) bindValue(stmt uintptr, idx int32, v Value) int32 {
	switch v.Type {
	case TypeInteger:
		return sqlite3.Xsqlite3_bind_int64(c.tls, stmt, idx, v.Int)
	case TypeReal:
		return sqlite3.Xsqlite3_bind_double(c.tls, stmt, idx, v.Real)
	case TypeText:
		z, err := libc.CString(v.Text)
		if err != nil {
			return sqlite3.SQLITE_NOMEM
		}
		defer libc.Xfree(c.tls, z)
		return sqlite3.Xsqlite3_bind_text(c.tls, stmt, idx, z, int32(len(v.Text)), sqlite3.SQLITE_TRANSIENT)
	case TypeBlob:
		if len(v.Blob) == 0 {
			return sqlite3.Xsqlite3_bind_zeroblob(c.tls, stmt, idx, 0)
		}
		z, err := libc.CString(string(v.Blob))
		if err != nil {
			return sqlite3.SQLITE_NOMEM
		}
		defer libc.Xfree(c.tls, z)
		return sqlite3.Xsqlite3_bind_blob(c.tls, stmt, idx, z, int32(len(v.Blob)), sqlite3.SQLITE_TRANSIENT)
	default:
		return sqlite3.Xsqlite3_bind_null(c.tls, stmt, idx)
	}
}

// columns returns the column names of stmt.
func (c *conn) columns(stmt uintptr) []string {
	n := int(sqlite3.Xsqlite3_column_count(c.tls, stmt))
	if n == 0 {
		return nil
	}
	cols := make([]string, n)
	for i := range cols {
		cols[i] = libc.GoString(sqlite3.Xsqlite3_column_name(c.tls, stmt, int32(i)))
	}
	return cols
}

// row reads the current row of stmt with SQLite's per-value types.
func (c *conn) row(stmt uintptr, n int) []Value {
	row := make([]Value, n)
	for i := range row {
		col := int32(i)
		switch sqlite3.Xsqlite3_column_type(c.tls, stmt, col) {
		case sqlite3.SQLITE_INTEGER:
			row[i] = Integer(sqlite3.Xsqlite3_column_int64(c.tls, stmt, col))
		case sqlite3.SQLITE_FLOAT:
			row[i] = Real(sqlite3.Xsqlite3_column_double(c.tls, stmt, col))
		case sqlite3.SQLITE_TEXT:
			p := sqlite3.Xsqlite3_column_text(c.tls, stmt, col)
			size := int(sqlite3.Xsqlite3_column_bytes(c.tls, stmt, col))
			row[i] = Text(string(libc.GoBytes(p, size)))
		case sqlite3.SQLITE_BLOB:
			p := sqlite3.Xsqlite3_column_blob(c.tls, stmt, col)
			size := int(sqlite3.Xsqlite3_column_bytes(c.tls, stmt, col))
			b := []byte{}
			if p != 0 && size > 0 {
				b = append(b, libc.GoBytes(p, size)...)
			}
			row[i] = Blob(b)
		default:
			row[i] = Null()
		}
	}
	return row
}

// inTransaction reports whether the connection has an open transaction.
func (c *conn) inTransaction() bool {
	return sqlite3.Xsqlite3_get_autocommit(c.tls, c.db) == 0
}

// isExplain reports an EXPLAIN or EXPLAIN QUERY PLAN statement, which
// describes its statement without running it: sqlite3_stmt_readonly
// judges it as that statement, so EXPLAIN of a write is served as a read
// by this test instead.
func (c *conn) isExplain(stmt uintptr) bool {
	return sqlite3.Xsqlite3_stmt_isexplain(c.tls, stmt) != 0
}

// readOnly reports whether stmt leaves the database unchanged.
func (c *conn) readOnly(stmt uintptr) bool {
	return sqlite3.Xsqlite3_stmt_readonly(c.tls, stmt) != 0
}
