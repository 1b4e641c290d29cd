package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// recordingClient wraps the test double: it records the requests the
// shell makes and fails the statements listed in fail with the given
// error, as a cluster client would report a lost leader.
type recordingClient struct {
	*localSQLiteDouble
	mu      sync.Mutex
	queries []string
	levels  []Consistency
	entries []Entry
	fail    map[string]error
}

func (c *recordingClient) Execute(ctx context.Context, e Entry) ([]Result, error) {
	c.mu.Lock()
	c.entries = append(c.entries, e)
	err := c.fail[strings.Join(e.Statements, "\n")]
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return c.localSQLiteDouble.Execute(ctx, e)
}

func (c *recordingClient) Query(ctx context.Context, sql string, level Consistency, params ...Param) (Result, error) {
	c.mu.Lock()
	c.queries = append(c.queries, sql)
	c.levels = append(c.levels, level)
	err := c.fail[sql]
	c.mu.Unlock()
	if err != nil {
		return Result{}, err
	}
	return c.localSQLiteDouble.Query(ctx, sql, level, params...)
}

// QueryStream is Query, recorded and failed alike, with the rows streamed.
func (c *recordingClient) QueryStream(ctx context.Context, sql string, level Consistency, params ...Param) (Result, error) {
	r, err := c.Query(ctx, sql, level, params...)
	return streamed(r), err
}

// Pipeline runs requests one at a time through the recording methods.
func (c *recordingClient) Pipeline(context.Context) (Pipeline, error) {
	return &syncPipeline{client: c}, nil
}

type syncPipeline struct {
	client  Client
	replies []Reply
}

func (p *syncPipeline) Submit(req Request) error {
	ctx := context.Background()
	if req.Read {
		r, err := p.client.Query(ctx, req.Query, req.Level)
		if err != nil {
			p.replies = append(p.replies, Reply{Err: err})
		} else {
			p.replies = append(p.replies, Reply{Results: []Result{r}})
		}
		return nil
	}
	rs, err := p.client.Execute(ctx, req.Entry)
	p.replies = append(p.replies, Reply{Results: rs, Err: err})
	return nil
}

func (p *syncPipeline) Next() (Reply, error) {
	if len(p.replies) == 0 {
		return Reply{}, errors.New("no reply pending")
	}
	r := p.replies[0]
	p.replies = p.replies[1:]
	return r, nil
}

func (p *syncPipeline) Close() error { return nil }

func runRecorded(t *testing.T, c *recordingClient, script string, opts Options) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	opts.Stdout, opts.Stderr = &out, &errOut
	sh := NewShell(c, opts)
	err := sh.RunBatch(context.Background(), strings.NewReader(script))
	sh.Close()
	return out.String(), errOut.String(), err
}

// TestOutcomeUnknownIsAnError checks that a write whose fate is unknown
// is reported with its line, counts as a failure, and that the rest of
// the batch still runs, pipelined or not.
func TestOutcomeUnknownIsAnError(t *testing.T) {
	for _, noPipeline := range []bool{false, true} {
		c := &recordingClient{localSQLiteDouble: newLocalSQLiteDouble(t), fail: map[string]error{
			"INSERT INTO t VALUES (2);": fmt.Errorf("leader lost after proposing: %w", ErrOutcomeUnknown),
			"SELECT 'unreachable';":     errors.New("no node reachable"),
		}}
		out, errOut, err := runRecorded(t, c, ".mode list\nCREATE TABLE t(a);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\nSELECT 'unreachable';\nSELECT count(*) FROM t;\n", Options{NoPipeline: noPipeline})
		if !errors.Is(err, ErrStatementsFailed) {
			t.Errorf("RunBatch error %v, want ErrStatementsFailed", err)
		}
		want := "Error near line 4: leader lost after proposing: write outcome unknown\nError near line 5: no node reachable\n"
		if errOut != want || out != "1\n" {
			t.Errorf("pipeline off=%v: stdout %q stderr %q, want %q", noPipeline, out, errOut, want)
		}
	}
}

// TestConsistencyLevelReachesQueries checks that reads carry the session's
// level, that writes and blocks go through Execute, and that a block's
// statements travel as one entry.
func TestConsistencyLevelReachesQueries(t *testing.T) {
	c := &recordingClient{localSQLiteDouble: newLocalSQLiteDouble(t)}
	_, errOut, err := runRecorded(t, c, "CREATE TABLE t(a);\nSELECT 1;\n.consistency lease\nSELECT 2;\n.consistency local\nWITH x AS (SELECT 3) SELECT * FROM x;\nBEGIN;\nINSERT INTO t VALUES (1);\nSELECT 4;\nCOMMIT;\n", Options{Consistency: Linearizable})
	if err != nil || errOut != "" {
		t.Fatalf("run: %v %s", err, errOut)
	}
	wantLevels := []Consistency{Linearizable, Lease, Local}
	if fmt.Sprint(c.levels) != fmt.Sprint(wantLevels) || len(c.queries) != 3 {
		t.Errorf("queries %q at %v, want 3 at %v", c.queries, c.levels, wantLevels)
	}
	if len(c.entries) != 2 || c.entries[0].Block || !c.entries[1].Block ||
		strings.Join(c.entries[1].Statements, " ") != "INSERT INTO t VALUES (1); SELECT 4;" {
		t.Errorf("entries %+v", c.entries)
	}
}

// badResultsClient returns more results than statements, which the shell
// must report, not trust.
type badResultsClient struct{ *localSQLiteDouble }

func (c badResultsClient) Execute(ctx context.Context, e Entry) ([]Result, error) {
	return []Result{{}, {}}, nil
}

func (c badResultsClient) Pipeline(context.Context) (Pipeline, error) {
	return &syncPipeline{client: c}, nil
}

func TestMalformedReplyIsReported(t *testing.T) {
	var out, errOut bytes.Buffer
	sh := NewShell(badResultsClient{newLocalSQLiteDouble(t)}, Options{Stdout: &out, Stderr: &errOut})
	err := sh.RunBatch(context.Background(), strings.NewReader("CREATE TABLE t(a);\n"))
	sh.Close()
	if !errors.Is(err, ErrStatementsFailed) || errOut.String() != "Error near line 1: server returned 2 results for 1 statements\n" {
		t.Errorf("err %v stderr %q", err, errOut.String())
	}
}
