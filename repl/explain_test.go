package repl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// explainCases are statements whose EXPLAIN listings hold loops, sorters,
// subqueries and coroutines.
const explainSchema = "CREATE TABLE t(a, b);\nCREATE TABLE u(x INTEGER PRIMARY KEY, y);\n"

var explainCases = []string{
	"EXPLAIN SELECT 1;",
	"EXPLAIN SELECT a FROM t WHERE b > 1 ORDER BY a;",
	"EXPLAIN SELECT * FROM t JOIN u ON t.a = u.x;",
	"EXPLAIN SELECT a FROM t WHERE a IN (SELECT y FROM u) GROUP BY a;",
	"EXPLAIN INSERT INTO t SELECT x, y FROM u UNION ALL SELECT 1, 2;",
	"EXPLAIN SELECT * FROM (SELECT a FROM t LIMIT 3) ORDER BY 1;",
}

// TestExplainLayoutMatchesSQLite3: the sqlite3 CLI's listing of each
// EXPLAIN (its layout, in list mode), against ours of the same rows, which
// sqlite3 gives raw with .explain off as JSON. (Our engine is a newer
// SQLite whose bytecode differs, so the rows come from sqlite3 itself.)
func TestExplainLayoutMatchesSQLite3(t *testing.T) {
	sqlite3CLI(t)
	for _, sql := range explainCases {
		want, _, _ := runSQLite3(t, "", ".mode list\n"+explainSchema+sql+"\n")
		raw, _, _ := runSQLite3(t, "", ".explain off\n.mode json\n"+explainSchema+sql+"\n")
		var objs []map[string]any
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&objs); err != nil {
			t.Fatalf("%s: sqlite3's JSON: %v\n%s", sql, err, raw)
		}
		r := &Result{Columns: []string{"addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"}}
		for _, o := range objs {
			var row []Value
			for _, c := range r.Columns {
				switch v := o[c].(type) {
				case nil:
					row = append(row, Null())
				case json.Number:
					n, _ := v.Int64()
					row = append(row, Integer(n))
				case string:
					row = append(row, Text(v))
				}
			}
			r.Rows = append(r.Rows, row)
		}
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		settings := defaultOutputSettings()
		settings.setMode(ModeList, columnOptions{})
		if !printExplain(w, &settings, r) {
			t.Fatalf("%s: not laid out as a listing", sql)
		}
		w.Flush()
		if buf.String() != want {
			t.Errorf("%s\n--- repl\n%s--- sqlite3\n%s", sql, buf.String(), want)
		}
	}
}

// TestExplainThroughShell: an EXPLAIN is laid out as a listing in every
// mode (the header and dashes first), an EXPLAIN QUERY PLAN as a tree.
func TestExplainThroughShell(t *testing.T) {
	for _, mode := range []string{"list", "csv", "json", "box", "line"} {
		out, errText, code := runShell(t, ".mode "+mode+"\n"+explainSchema+"EXPLAIN SELECT a FROM t;\nEXPLAIN QUERY PLAN SELECT a FROM t;\n", Options{})
		if code != 0 || errText != "" {
			t.Fatalf("%s: exit %d, %s", mode, code, errText)
		}
		if !strings.HasPrefix(out, "addr  opcode         p1    p2    p3    p4             p5  comment      \n----  -------------  ----") ||
			!strings.Contains(out, "\n  Column  ") && !strings.Contains(out, "    Column ") ||
			!strings.HasSuffix(out, "QUERY PLAN\n`--SCAN t\n") {
			t.Errorf("%s: not a listing then a plan:\n%s", mode, out)
		}
	}
}

// TestEqpFull: .eqp full prints each statement's plan, then its EXPLAIN
// listing, then its result.
func TestEqpFull(t *testing.T) {
	out, errText, code := runShell(t, ".mode list\n"+explainSchema+".eqp full\nSELECT a FROM t;\n.eqp off\nSELECT 2;\n", Options{})
	if code != 0 || errText != "" {
		t.Fatalf("exit %d, %s", code, errText)
	}
	plan := "QUERY PLAN\n`--SCAN t\naddr  opcode         p1    p2    p3    p4             p5  comment      \n----  -------------"
	if !strings.HasPrefix(out, plan) || !strings.HasSuffix(out, "Goto           0     1     0                    0   \n2\n") {
		t.Errorf("not plan, listing, result:\n%s", out)
	}
}
