package repl

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resqlite/resqlite/statemachine"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"modernc.org/sqlite"
)

// localSQLiteDouble is a TEST DOUBLE of the cluster: it implements Client
// over one local modernc.org/sqlite database, so the REPL's own tests can
// run without a cluster. It is not a product path. Entries apply in order
// on one connection; a block runs in one transaction that rolls back at
// its first failing statement; reads run with query_only on, so a write
// mistaken for a read fails as the real service refuses it. It cannot
// report sqlite3_error_offset (database/sql hides it), so its errors carry
// Offset -1.
type localSQLiteDouble struct {
	mu      sync.Mutex
	db      *sql.DB
	conn    *sql.Conn
	applied uint64
}

func newLocalSQLiteDouble(t *testing.T) *localSQLiteDouble {
	t.Helper()
	d, err := openLocalSQLiteDouble(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.close)
	return d
}

// openLocalSQLiteDouble opens a double whose database lives in dir.
func openLocalSQLiteDouble(dir string) (*localSQLiteDouble, error) {
	// A driver of its own, with generate_series as the service has it
	// (placeSeries).
	drv := &sqlite.Driver{}
	if err := statemachine.RegisterGenerateSeries(drv); err != nil {
		return nil, err
	}
	db := sql.OpenDB(doubleConnector{drv: drv, dsn: "file:" + dir + "/double.db?_pragma=journal_mode(wal)&_pragma=synchronous(off)"})
	conn, err := db.Conn(context.Background())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("double conn: %w", err)
	}
	if _, err := conn.ExecContext(context.Background(), statemachine.CreateGenerateSeries); err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("double generate_series: %w", err)
	}
	return &localSQLiteDouble{db: db, conn: conn}, nil
}

func (d *localSQLiteDouble) close() {
	d.conn.Close()
	d.db.Close()
}

// sqlErrorFrom turns a modernc error ("errstr: errmsg (code)") into the
// REPL's SQLError.
func sqlErrorFrom(err error, phase ErrorPhase) *SQLError {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// What SQLite reports after sqlite3_interrupt, as a server
		// would when the client cancels.
		return &SQLError{Code: 9, Message: "interrupted", Phase: PhaseRuntime, Offset: -1}
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return &SQLError{Code: 1, Message: err.Error(), Phase: PhaseOther, Offset: -1}
	}
	msg := se.Error()
	if i := strings.LastIndex(msg, " ("); i >= 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	}
	if i := strings.Index(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return &SQLError{Code: se.Code() & 0xff, Message: msg, Phase: phase, Offset: -1}
}

// run executes one statement on the double's connection.
func (d *localSQLiteDouble) run(ctx context.Context, text string, params ...Param) Result {
	stmt, err := d.conn.PrepareContext(ctx, text)
	if err != nil {
		return Result{Err: sqlErrorFrom(err, PhaseParse)}
	}
	defer stmt.Close()
	rows, err := stmt.QueryContext(ctx, doubleArgs(text, params)...)
	if err != nil {
		return Result{Err: sqlErrorFrom(err, PhaseRuntime)}
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return Result{Err: sqlErrorFrom(err, PhaseRuntime)}
	}
	res := Result{Columns: cols}
	for rows.Next() {
		raw := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return Result{Err: sqlErrorFrom(err, PhaseRuntime)}
		}
		row := make([]Value, len(cols))
		for i, v := range raw {
			switch v := v.(type) {
			case nil:
				row[i] = Null()
			case int64:
				row[i] = Integer(v)
			case float64:
				row[i] = Real(v)
			case string:
				row[i] = Text(v)
			case []byte:
				row[i] = Blob(append([]byte(nil), v...))
			case time.Time:
				rows.Close()
				return Result{Err: &SQLError{Code: 1, Message: "test double: DATE-typed column converted to time.Time; use another declared type", Offset: -1}}
			default:
				rows.Close()
				return Result{Err: &SQLError{Code: 1, Message: fmt.Sprintf("test double: unexpected value type %T", v), Offset: -1}}
			}
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return Result{Err: sqlErrorFrom(err, PhaseRuntime)}
	}
	rows.Close()
	if len(cols) == 0 {
		res.Rows = nil
	}
	var changes, rowid int64
	if err := d.conn.QueryRowContext(ctx, "SELECT changes(), last_insert_rowid()").Scan(&changes, &rowid); err != nil {
		return Result{Err: sqlErrorFrom(err, PhaseRuntime)}
	}
	if isDML(text) {
		res.RowsAffected = changes
	}
	res.LastInsertRowID = rowid
	return res
}

// placeSeries makes the connection's TEMP generate_series step aside
// while the database has a table or view of that name, as the service's
// does (the user's object comes first, as in sqlite3).
func (d *localSQLiteDouble) placeSeries(ctx context.Context) error {
	var user, temp int
	err := d.conn.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM pragma_table_info('generate_series', 'main')), "+
		"(SELECT count(*) FROM temp.sqlite_schema WHERE name = 'generate_series')").Scan(&user, &temp)
	switch {
	case err != nil:
	case user > 0 && temp > 0:
		_, err = d.conn.ExecContext(ctx, "DROP TABLE temp.generate_series")
	case user == 0 && temp == 0:
		_, err = d.conn.ExecContext(ctx, statemachine.CreateGenerateSeries)
	}
	if err != nil {
		return fmt.Errorf("test double: generate_series: %w", err)
	}
	return nil
}

func (d *localSQLiteDouble) exec(ctx context.Context, e Entry) ([]Result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.applied++
	if !e.Block {
		var out []Result
		for i, s := range e.Statements {
			if err := d.placeSeries(ctx); err != nil {
				return nil, err
			}
			r := d.run(ctx, s, entryParams(e, i)...)
			out = append(out, r)
			if r.Err != nil {
				break
			}
		}
		return out, nil
	}
	if _, err := d.conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, fmt.Errorf("test double: begin block: %w", err)
	}
	var out []Result
	for i, s := range e.Statements {
		if err := d.placeSeries(ctx); err != nil {
			return nil, err
		}
		r := d.run(ctx, s, entryParams(e, i)...)
		out = append(out, r)
		if r.Err != nil {
			if _, err := d.conn.ExecContext(ctx, "ROLLBACK"); err != nil && !strings.Contains(err.Error(), "no transaction") {
				return nil, fmt.Errorf("test double: roll back block: %w", err)
			}
			return out, nil
		}
	}
	if _, err := d.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, fmt.Errorf("test double: commit block: %w", err)
	}
	return out, nil
}

func (d *localSQLiteDouble) query(ctx context.Context, text string, params ...Param) (Result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.placeSeries(ctx); err != nil {
		return Result{}, err
	}
	if _, err := d.conn.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
		return Result{}, fmt.Errorf("test double: %w", err)
	}
	r := d.run(ctx, text, params...)
	// Restored even when ctx was cancelled (Ctrl-C) during the read.
	if _, err := d.conn.ExecContext(context.Background(), "PRAGMA query_only = OFF"); err != nil {
		return Result{}, fmt.Errorf("test double: %w", err)
	}
	return r, nil
}

// Execute implements Client.
func (d *localSQLiteDouble) Execute(ctx context.Context, e Entry) ([]Result, error) {
	return d.exec(ctx, e)
}

// Query implements Client; the level makes no difference to one database.
func (d *localSQLiteDouble) Query(ctx context.Context, text string, _ Consistency, params ...Param) (Result, error) {
	return d.query(ctx, text, params...)
}

// QueryStream implements StreamingClient: the rows come two at a time
// from More, so that the oracle tests print every mode as a stream.
func (d *localSQLiteDouble) QueryStream(ctx context.Context, text string, _ Consistency, params ...Param) (Result, error) {
	r, err := d.query(ctx, text, params...)
	return streamed(r), err
}

// streamed moves r's rows to More, delivered two at a time.
func streamed(r Result) Result {
	if r.Err == nil {
		r.More, r.Rows = &sliceSource{rows: r.Rows}, nil
	}
	return r
}

// sliceSource is a RowSource over rows held in memory.
type sliceSource struct{ rows [][]Value }

func (s *sliceSource) Next() ([][]Value, error) {
	if len(s.rows) == 0 {
		return nil, io.EOF
	}
	n := min(2, len(s.rows))
	out := s.rows[:n]
	s.rows = s.rows[n:]
	return out, nil
}

func (s *sliceSource) Close() { s.rows = nil }

// Pipeline implements Client with a worker goroutine that applies requests
// in submission order while the caller keeps submitting.
func (d *localSQLiteDouble) Pipeline(ctx context.Context) (Pipeline, error) {
	p := &doublePipeline{reqs: make(chan Request, 2*maxInFlight), replies: make(chan Reply, 2*maxInFlight), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for req := range p.reqs {
			var rep Reply
			if req.Read {
				r, err := d.query(ctx, req.Query, req.Params...)
				if req.Stream {
					r = streamed(r)
				}
				rep = Reply{Results: []Result{r}, Err: err}
				if err != nil {
					rep.Results = nil
				}
			} else {
				rep.Results, rep.Err = d.exec(ctx, req.Entry)
			}
			p.replies <- rep
		}
	}()
	return p, nil
}

type doublePipeline struct {
	reqs    chan Request
	replies chan Reply
	done    chan struct{}
	closed  bool
	pending int
}

func (p *doublePipeline) Submit(req Request) error {
	if p.closed {
		return errors.New("test double: pipeline closed")
	}
	p.pending++
	p.reqs <- req
	return nil
}

func (p *doublePipeline) Next() (Reply, error) {
	if p.pending == 0 {
		return Reply{}, errors.New("test double: no request pending")
	}
	p.pending--
	return <-p.replies, nil
}

func (p *doublePipeline) Close() error {
	if !p.closed {
		p.closed = true
		close(p.reqs) // the worker answers what is queued, into the buffer
		<-p.done
	}
	return nil
}

// Status implements Client: the double is a single leader node.
func (d *localSQLiteDouble) Status(context.Context) (Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := Member{ID: 1, Address: "local-double", Role: "leader", Voter: true, Reachable: true, MatchIndex: d.applied}
	return Status{NodeID: 1, Address: "local-double", Role: "leader", Term: 1, LeaderID: 1, LeaderAddress: "local-double",
		CommitIndex: d.applied, AppliedIndex: d.applied, Members: []Member{m}}, nil
}

// Members implements Client.
func (d *localSQLiteDouble) Members(ctx context.Context) ([]Member, error) {
	st, _ := d.Status(ctx)
	return st.Members, nil
}

// TakeSnapshot implements Client by reporting the applied index.
func (d *localSQLiteDouble) TakeSnapshot(context.Context) (uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.applied, nil
}

// TransferLeadership implements Client: a single node has no one to hand
// over to.
func (d *localSQLiteDouble) TransferLeadership(_ context.Context, to uint64) (uint64, error) {
	return 0, errors.New("single-node double: no other member (to " + strconv.FormatUint(to, 10) + ")")
}

// Dump implements Client the way the CLI's .dump lays it out: tables
// with their rows (values through SQLite's quote()), then indexes, views
// and triggers.
func (d *localSQLiteDouble) Dump(ctx context.Context, w io.Writer, opts sqlval.DumpOptions) error {
	tables := opts.Tables
	d.mu.Lock()
	defer d.mu.Unlock()
	filter := ""
	for i, t := range tables {
		if i == 0 {
			filter = " AND tbl_name IN ("
		} else {
			filter += ","
		}
		filter += sqlQuote(t)
		if i == len(tables)-1 {
			filter += ")"
		}
	}
	type object struct{ typ, name, sql string }
	rows, err := d.conn.QueryContext(ctx, "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"+filter+" ORDER BY type <> 'table', rowid")
	if err != nil {
		return fmt.Errorf("test double dump: %w", err)
	}
	var objs []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.typ, &o.name, &o.sql); err != nil {
			rows.Close()
			return fmt.Errorf("test double dump: %w", err)
		}
		objs = append(objs, o)
	}
	rows.Close()
	fmt.Fprint(w, "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n")
	for _, o := range objs {
		fmt.Fprintf(w, "%s;\n", o.sql)
		if o.typ != "table" {
			continue
		}
		var cols []string
		crows, err := d.conn.QueryContext(ctx, "SELECT name FROM pragma_table_info("+sqlQuote(o.name)+")")
		if err != nil {
			return fmt.Errorf("test double dump: %w", err)
		}
		for crows.Next() {
			var c string
			crows.Scan(&c)
			cols = append(cols, "quote(\""+strings.ReplaceAll(c, `"`, `""`)+"\")")
		}
		crows.Close()
		q := "SELECT 'INSERT INTO \"" + strings.ReplaceAll(strings.ReplaceAll(o.name, `"`, `""`), "'", "''") + "\" VALUES(' || " +
			strings.Join(cols, " || ',' || ") + " || ');' FROM \"" + strings.ReplaceAll(o.name, `"`, `""`) + "\" ORDER BY rowid"
		irows, err := d.conn.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("test double dump: %w", err)
		}
		for irows.Next() {
			var line string
			irows.Scan(&line)
			fmt.Fprintln(w, line)
		}
		irows.Close()
	}
	_, err = fmt.Fprint(w, "COMMIT;\n")
	return err
}

// RemoveMember implements Client.
func (d *localSQLiteDouble) RemoveMember(_ context.Context, id uint64) error {
	return fmt.Errorf("single-node double: cannot remove node %d", id)
}

// entryParams returns the parameters of e's statement i.
func entryParams(e Entry, i int) []Param {
	if i < len(e.Params) {
		return e.Params[i]
	}
	return nil
}

// doubleArgs binds params as the service does (by name through
// sqlite3_bind_parameter_index, positional ones to the "?" and "?NNN"
// slots in index order; the rest NULL), in the form the database/sql
// driver takes: one argument per parameter index, named for the ":a",
// "@a" and "$a" ones. The indexes are SQLite's numbering as the shell's
// statementVariables computes it; the oracle's cluster run checks the
// service's own.
func doubleArgs(text string, params []Param) []any {
	vars := statementVariables(text)
	if len(vars) == 0 {
		return nil
	}
	n := 0
	names := map[int]string{}
	var slots []int
	for _, v := range vars {
		n = max(n, v.index)
		if _, ok := names[v.index]; !ok {
			names[v.index] = v.name
		}
	}
	for i := 1; i <= n; i++ {
		if name := names[i]; name == "" || name[0] == '?' {
			slots = append(slots, i)
		}
	}
	values := make([]any, n+1)
	for _, p := range params {
		if p.Name == "" {
			if len(slots) > 0 {
				values[slots[0]], slots = doubleValue(p.Value), slots[1:]
			}
			continue
		}
		for i, name := range names {
			if name == p.Name {
				values[i] = doubleValue(p.Value)
			}
		}
	}
	args := make([]any, n)
	for i := 1; i <= n; i++ {
		args[i-1] = values[i]
		if name := names[i]; name != "" && name[0] != '?' {
			args[i-1] = sql.Named(name[1:], values[i])
		}
	}
	return args
}

func doubleValue(v Value) any {
	switch v.Kind {
	case KindInteger:
		return v.Int
	case KindReal:
		return v.Real
	case KindText:
		return v.Text
	case KindBlob:
		return v.Bytes
	}
	return nil
}

// doubleConnector opens the double's connections with its own driver.
type doubleConnector struct {
	drv *sqlite.Driver
	dsn string
}

func (c doubleConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c doubleConnector) Driver() driver.Driver                        { return c.drv }
