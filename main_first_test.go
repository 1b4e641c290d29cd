package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/repl/ptytest"
	"github.com/resqlite/resqlite/rpc/node"
)

// The first ten minutes of a new user: -h, stray arguments, the startup
// line, a failed start and the default port.

// -h prints the usage on stdout, exit 0: usage lines, a description and
// every flag once, under the node, client or output heading.
func TestHelpGroupsEveryFlag(t *testing.T) {
	r := runProgram(t, t.TempDir(), "", "-h")
	if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "Usage: resqlite [flags]\n") {
		t.Fatalf("exit %d stderr %q stdout:\n%s", r.code, r.stderr, r.stdout)
	}
	headings := []string{"\nNode flags", "\nClient flags", "\nOutput flags", "\nSubcommands: "}
	last := -1
	for _, h := range headings {
		i := strings.Index(r.stdout, h)
		if i <= last {
			t.Fatalf("heading %q missing or out of order:\n%s", h, r.stdout)
		}
		last = i
	}
	fs := newFlagSet(&nodeFlags{})
	fs.VisitAll(func(fl *flag.Flag) {
		if n := len(regexp.MustCompile(`(?m)^  -`+regexp.QuoteMeta(fl.Name)+`( |$)`).FindAllString(r.stdout, -1)); n != 1 {
			t.Errorf("flag -%s listed %d times in -h", fl.Name, n)
		}
	})
	var grouped []string
	for _, g := range flagGroups() {
		grouped = append(grouped, strings.Fields(g.names)...)
	}
	count := 0
	fs.VisitAll(func(*flag.Flag) { count++ })
	if len(grouped) != count {
		t.Errorf("%d flags, %d in the groups: %v", count, len(grouped), grouped)
	}
}

// A positional argument that is no subcommand (a sqlite3 habit such as
// `resqlite shop.db`) is a one-line error saying what to do instead,
// exit 2, and no node is started (no data directory appears).
func TestStrayArgumentsSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"shop.db"}, []string{`"shop.db"`, "data directory", "resqlite -boot shop.db", "resqlite restore -connect HOST:PORT shop.db"}},
		{[]string{"-mode", "list", "shop.sqlite3"}, []string{"data directory", "resqlite -boot shop.sqlite3"}},
		{[]string{"load.sql"}, []string{"resqlite -batch load.sql"}},
		{[]string{"-id", "2", "passwd"}, []string{`"passwd" is a subcommand: give it first`}},
		{[]string{"frobnicate"}, []string{`unexpected argument "frobnicate"`, "resqlite -h"}},
		{[]string{"-data", "old.db"}, []string{"-data old.db is a file", "resqlite -boot old.db"}},
	}
	if err := os.WriteFile(filepath.Join(dir, "old.db"), []byte("SQLite format 3\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		r := runProgram(t, dir, "", c.args...)
		if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "resqlite: ") {
			t.Errorf("%v: exit %d stdout %q stderr %q", c.args, r.code, r.stdout, r.stderr)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, r.stderr, w)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "resqlite-data")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a data directory appeared: %v", err)
	}
}

// The first argument selects a registered subcommand, which gets the
// arguments after its name and gives the exit code; a flag first means
// the node's flags.
func TestDispatchRunsSubcommand(t *testing.T) {
	var got []string
	cmds := []subcommand{{name: "fake", summary: "a test", run: func(args []string, stdout, stderr io.Writer) int {
		got = args
		io.WriteString(stdout, "ran")
		return 7
	}}}
	var out, errb bytes.Buffer
	if code, ok := dispatch(cmds, []string{"fake", "-h", "x"}, &out, &errb); !ok || code != 7 || out.String() != "ran" || !slices.Equal(got, []string{"-h", "x"}) {
		t.Fatalf("fake: ok %v code %d out %q args %v", ok, code, out.String(), got)
	}
	if _, ok := dispatch(cmds, []string{"-mode", "list"}, &out, &errb); ok {
		t.Fatal("flags were taken for a subcommand")
	}
	if code, ok := dispatch(cmds, []string{"frobnicate"}, &out, &errb); !ok || code != 2 || !strings.Contains(errb.String(), "unexpected argument") {
		t.Fatalf("unknown name: ok %v code %d stderr %q", ok, code, errb.String())
	}
	if !strings.Contains(subcommandList(cmds), "fake (a test)") {
		t.Fatalf("usage list: %s", subcommandList(cmds))
	}
}

// A subcommand's flags parse alike for every subcommand: -h prints its
// usage on stdout (exit 0), a bad flag or stray argument is one line on
// stderr (exit 2).
func TestSubcommandFlags(t *testing.T) {
	c := subcommand{name: "fake", summary: "Does nothing, for the test."}
	parse := func(args ...string) (string, string, int, bool, string) {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		to := fs.String("to", "", "where to write, a `FILE`")
		var out, errb bytes.Buffer
		code, done := parseSubcommandFlags(c, fs, args, &out, &errb)
		return out.String(), errb.String(), code, done, *to
	}
	if out, errOut, code, done, _ := parse("-h"); !done || code != 0 || errOut != "" ||
		!strings.HasPrefix(out, "Usage: resqlite fake [flags]\n\nDoes nothing, for the test.\n") || !strings.Contains(out, "  -to FILE\n") {
		t.Fatalf("-h: done %v code %d stderr %q stdout:\n%s", done, code, errOut, out)
	}
	for _, args := range [][]string{{"-bogus"}, {"-to", "x", "extra"}} {
		if out, errOut, code, done, _ := parse(args...); !done || code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "resqlite fake: ") {
			t.Fatalf("%v: done %v code %d stdout %q stderr %q", args, done, code, out, errOut)
		}
	}
	if _, _, _, done, to := parse("-to", "x"); done || to != "x" {
		t.Fatalf("good flags: done %v, -to %q", done, to)
	}
}

// With a prompt, one line on stderr (never on stdout) says where the data
// lives, whether it was created or reopened, and the address; a batch
// run prints nothing of the kind.
func TestStartupLineWithPromptOnly(t *testing.T) {
	dir := t.TempDir()
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddrs(t, 1)[0]
	data := filepath.Join(real, "resqlite-data", "node-1")
	for _, how := range []string{"created", "reopened"} {
		cmd := exec.Command(programPath, "-peers", "1="+addr)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+dir, "TERM=dumb")
		stderr := &syncBuffer{}
		cmd.Stderr = stderr
		p := ptytest.Start(t, cmd, 150)
		p.Expect(" leader> ")
		p.Send(".quit\n")
		if code := p.Wait(); code != 0 {
			t.Fatalf("exit %d", code)
		}
		want := "resqlite: node 1, data in " + data + " (" + how + "), listening on " + addr + "\n"
		if stderr.String() != want {
			t.Fatalf("stderr %q, want %q", stderr.String(), want)
		}
		if strings.Contains(p.Output(), "data in") {
			t.Fatalf("the startup line reached stdout:\n%s", p.Output())
		}
	}
	r := runProgram(t, dir, "SELECT 1;\n", "-peers", "1="+addr, "-mode", "list")
	if r.code != 0 || r.stdout != "1\n" || r.stderr != "" {
		t.Fatalf("batch: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// A start that fails (port in use, a -peers port out of range) writes
// nothing, so the corrected retry starts a new node.
func TestFailedStartThenCorrectedRetry(t *testing.T) {
	dir := t.TempDir()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, peers := range []string{"1=" + busy.Addr().String(), "1=127.0.0.1:99999", "1=localhost"} {
		r := runProgram(t, dir, "SELECT 1;\n", "-peers", peers)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Fatalf("-peers %s: exit %d stderr %q", peers, r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "resqlite-data")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("-peers %s: the failed start left a data directory (%v); stderr %q", peers, err, r.stderr)
		}
	}
	r := runProgram(t, dir, "SELECT 1;\n", "-peers", "1="+freeAddrs(t, 1)[0], "-mode", "list")
	if r.code != 0 || r.stdout != "1\n" {
		t.Fatalf("corrected retry: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// The default single node listens away from scripts/cluster.sh's nodes
// (node N on the script's base port + N - 1, joined nodes included), so
// both can run at once.
func TestDefaultPortAwayFromClusterScript(t *testing.T) {
	script, err := os.ReadFile("scripts/cluster.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^port=\$\{RESQLITE_CLUSTER_PORT:-(\d+)\}$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("no default port line in scripts/cluster.sh")
	}
	base, _ := strconv.Atoi(string(m[1]))
	single, err := node.ParsePeers(newFlagSet(&nodeFlags{}).Lookup("peers").DefValue)
	if err != nil {
		t.Fatal(err)
	}
	_, p, _ := net.SplitHostPort(single[0].Addr)
	port, _ := strconv.Atoi(p)
	if port >= base && port < base+100 {
		t.Fatalf("the default node's port %d is among scripts/cluster.sh's %d-%d", port, base, base+99)
	}
}

// data/shop.sql loads quietly and can be loaded twice, with the same
// content as sqlite3 given the file twice.
func TestShopSQLLoadsTwice(t *testing.T) {
	dir := t.TempDir()
	shop, err := filepath.Abs("data/shop.sql")
	if err != nil {
		t.Fatal(err)
	}
	peers := "1=" + freeAddrs(t, 1)[0]
	const summary = `SELECT (SELECT count(*) FROM categories), (SELECT count(*) FROM products),
  (SELECT count(*) FROM customers), (SELECT count(*) FROM orders), (SELECT count(*) FROM order_items),
  (SELECT round(sum(total), 2) FROM order_totals), (SELECT group_concat(type || ' ' || name, ',') FROM (SELECT type, name FROM sqlite_schema
    WHERE name IN ('categories','products','customers','orders','order_items','orders_by_customer','items_by_product','order_totals')
    ORDER BY name));
`
	var got string
	for i := range 2 {
		r := runProgram(t, dir, "", "-peers", peers, "-batch", shop) // as the README says, in the default mode
		if r.code != 0 || r.stdout != "" || r.stderr != "" {
			t.Fatalf("load %d: exit %d stdout %q stderr %q", i+1, r.code, r.stdout, r.stderr)
		}
		r = runProgram(t, dir, summary, "-peers", peers, "-mode", "list")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("summary after load %d: exit %d stderr %q", i+1, r.code, r.stderr)
		}
		if i > 0 && r.stdout != got {
			t.Fatalf("second load changed the content: %q, then %q", got, r.stdout)
		}
		got = r.stdout
	}
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it); comparison skipped")
	}
	db := filepath.Join(dir, "shop.db")
	for i := range 2 {
		out, err := exec.Command(cli, "-batch", db, ".read "+shop).CombinedOutput()
		if err != nil || len(out) != 0 {
			t.Fatalf("sqlite3 load %d: %v %q", i+1, err, out)
		}
	}
	want, err := exec.Command(cli, "-batch", db, summary).Output()
	if err != nil || string(want) != got {
		t.Fatalf("resqlite %q, sqlite3 %q (%v)", got, want, err)
	}
}

// The history file is created 0600, as sqlite3's is, and stays so when
// the line editor trims it (it rewrites a file over its 500-line limit
// through a new file).
func TestHistoryFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	peers := "1=" + freeAddrs(t, 1)[0]
	history := filepath.Join(dir, ".resqlite_history")
	session := func() {
		p := startOnPTY(t, dir, "-peers", peers)
		p.Expect(" leader> ")
		p.Send("SELECT 1;\n")
		p.Expect("| 1 |")
		p.Send(".quit\n")
		if code := p.Wait(); code != 0 {
			t.Fatalf("exit %d", code)
		}
	}
	session()
	st, err := os.Stat(history)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("history file after the first session: %v %v, want mode 0600", st.Mode(), err)
	}
	if err := os.WriteFile(history, []byte(strings.Repeat("SELECT 2;\n", 600)), 0o600); err != nil {
		t.Fatal(err)
	}
	session()
	b, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	st, err = os.Stat(history)
	if err != nil || st.Mode().Perm() != 0o600 || strings.Count(string(b), "\n") > 510 {
		t.Fatalf("history file after the trimming session: mode %v, %d lines (%v)", st.Mode(), strings.Count(string(b), "\n"), err)
	}
}

// scripts/cluster.sh stop stops every node of the cluster: the founders,
// a node added with `cluster.sh join`, and one started by hand on a data
// directory of the cluster (as the README's join line does).
func TestClusterScriptStopStopsJoinedNodes(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	base := freePortRun(t, 5)
	env := append(os.Environ(), "RESQLITE_CLUSTER_DIR="+dir, "RESQLITE_CLUSTER_PORT="+strconv.Itoa(base), "RESQLITE_BIN="+programPath, "LOG_LEVEL=error")
	script := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", append([]string{"scripts/cluster.sh"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("cluster.sh %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	var pids []int
	t.Cleanup(func() {
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	script("start")
	script("join", "4")
	for id := 1; id <= 4; id++ {
		b, err := os.ReadFile(filepath.Join(dir, "node-"+strconv.Itoa(id)+".pid"))
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	byHand := exec.Command(programPath, "-serve", "-id", "5", "-listen", "127.0.0.1:"+strconv.Itoa(base+4),
		"-join", "127.0.0.1:"+strconv.Itoa(base), "-data", filepath.Join(dir, "node-5"))
	if err := byHand.Start(); err != nil {
		t.Fatal(err)
	}
	pids = append(pids, byHand.Process.Pid)
	exited := make(chan struct{})
	go func() { byHand.Wait(); close(exited) }()
	if r := runProgram(t, dir, ".nodes\n", "-connect", "127.0.0.1:"+strconv.Itoa(base+4), "-mode", "list"); r.code != 0 || strings.Count(r.stdout, "\n") != 5 {
		t.Fatalf(".nodes through node 5: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	out := script("stop")
	for id := 1; id <= 5; id++ {
		if !strings.Contains(out, "node "+strconv.Itoa(id)+" stopped") {
			t.Errorf("stop did not report node %d:\n%s", id, out)
		}
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("the node started by hand still runs after stop:\n%s", out)
	}
	for _, pid := range pids[:4] {
		if alive(pid) {
			t.Errorf("pid %d still runs after stop:\n%s", pid, out)
		}
	}
}

// freePortRun returns the first of n consecutive loopback ports that are
// free a moment ago.
func freePortRun(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		base := 20000 + rand.IntN(30000)
		var ls []net.Listener
		for i := range n {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				break
			}
			ls = append(ls, l)
		}
		for _, l := range ls {
			l.Close()
		}
		if len(ls) == n {
			return base
		}
	}
	t.Fatal("no run of free ports")
	return 0
}

// alive reports whether process pid runs (a zombie does not).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}

// .nodes shows a member that is down as unreachable, with how long ago
// the leader last heard from it (never as a follower).
func TestNodesShowsDownMemberUnreachable(t *testing.T) {
	skipShort(t)
	nodes := startCluster(t, 3)
	nodes[2].cmd.Process.Signal(syscall.SIGKILL)
	<-nodes[2].exited
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		r := runProgram(t, t.TempDir(), ".nodes\n", "-connect", nodes[0].addr, "-mode", "list")
		last = r.stdout + r.stderr
		for _, line := range strings.Split(r.stdout, "\n") {
			f := strings.Split(line, "|")
			if len(f) != 8 || f[0] != "3" {
				continue
			}
			if f[2] == "unreachable" && f[4] == "no" {
				if d, err := time.ParseDuration(f[7]); err != nil || d <= 0 {
					t.Fatalf("last contact %q of the down member: %v", f[7], err)
				}
				return
			}
		}
	}
	t.Fatalf(".nodes never showed node 3 as unreachable:\n%s", last)
}
