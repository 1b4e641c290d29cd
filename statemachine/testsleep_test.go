package statemachine

import (
	"strings"
	"testing"
	"time"
)

// resqlite_test_sleep exists on the apply connection only with
// Options.TestSleepFunc; there it is allowed in a write (deterministic),
// delays the entry and returns its argument.
func TestTestSleepFunc(t *testing.T) {
	plain := openTest(t)
	mustExec(t, plain, "CREATE TABLE t (a)")
	if r := exec(t, plain, "INSERT INTO t VALUES (resqlite_test_sleep(1))"); r.Err == nil || !strings.Contains(r.Err.Message, "no such function") {
		t.Fatalf("without the option: %+v, want no such function", r.Err)
	}

	sm, err := Open(t.TempDir(), Options{ReadConns: 1, TestSleepFunc: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sm.Close() })
	mustExec(t, sm, "CREATE TABLE t (a)")
	start := time.Now()
	mustExec(t, sm, "INSERT INTO t VALUES (resqlite_test_sleep(200))")
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("entry applied in %v, want at least 200ms", d)
	}
	if rows := query(t, sm, "SELECT a FROM t"); len(rows) != 1 || rows[0][0].Int != 200 {
		t.Fatalf("rows %v, want [[200]]", rows)
	}
	if r := exec(t, sm, "INSERT INTO t VALUES (resqlite_test_sleep('x'))"); r.Err == nil {
		t.Fatal("a non-integer argument was accepted")
	}
}
