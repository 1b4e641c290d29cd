package faults

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// op builds a register operation for hand-made histories; ret < 0 is an
// unknown outcome (returning at the end of the history).
func op(client int, in regInput, out regOutput, call, ret int64) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Output: out, Call: call, Return: ret}
}

func checkHistory(ops []porcupine.Operation) string {
	r := newRegisters(2)
	r.ops = ops
	verdict, _ := r.check(10 * time.Second)
	return verdict
}

// The register model accepts what a linearizable register may do and
// rejects stale reads, lost writes and wrong compare-and-set results;
// an unknown write may or may not have happened.
func TestRegisterModel(t *testing.T) {
	w := func(k int, v int64) regInput { return regInput{op: regWrite, key: k, val: v} }
	rd := func(k int) regInput { return regInput{op: regRead, key: k, level: "linearizable"} }
	cas := func(k int, old, v int64) regInput { return regInput{op: regCAS, key: k, old: old, val: v} }
	cases := []struct {
		name string
		ops  []porcupine.Operation
		ok   bool
	}{
		{"read after write", []porcupine.Operation{op(0, w(0, 1), regOutput{}, 0, 10), op(1, rd(0), regOutput{val: 1}, 20, 30)}, true},
		{"stale read after write", []porcupine.Operation{op(0, w(0, 1), regOutput{}, 0, 10), op(1, rd(0), regOutput{val: 0}, 20, 30)}, false},
		{"concurrent read sees either", []porcupine.Operation{op(0, w(0, 1), regOutput{}, 0, 30), op(1, rd(0), regOutput{val: 0}, 10, 20)}, true},
		{"keys are independent", []porcupine.Operation{op(0, w(0, 1), regOutput{}, 0, 10), op(1, rd(1), regOutput{val: 0}, 20, 30)}, true},
		{"read of a value never written", []porcupine.Operation{op(1, rd(0), regOutput{val: 7}, 0, 10)}, false},
		{"unknown write seen", []porcupine.Operation{op(0, w(0, 1), regOutput{unknown: true}, 0, -1), op(1, rd(0), regOutput{val: 1}, 20, 30)}, true},
		{"unknown write not seen", []porcupine.Operation{op(0, w(0, 1), regOutput{unknown: true}, 0, -1), op(1, rd(0), regOutput{val: 0}, 20, 30)}, true},
		{"unknown write seen then unseen", []porcupine.Operation{op(0, w(0, 1), regOutput{unknown: true}, 0, -1),
			op(1, rd(0), regOutput{val: 1}, 20, 30), op(1, rd(0), regOutput{val: 0}, 40, 50)}, false},
		{"cas matched", []porcupine.Operation{op(0, cas(0, 0, 5), regOutput{ok: true}, 0, 10), op(1, rd(0), regOutput{val: 5}, 20, 30)}, true},
		{"cas matched a wrong value", []porcupine.Operation{op(0, w(0, 1), regOutput{}, 0, 10), op(0, cas(0, 0, 5), regOutput{ok: true}, 20, 30)}, false},
		{"cas missed the right value", []porcupine.Operation{op(0, cas(0, 0, 5), regOutput{}, 0, 10)}, false},
		{"unknown cas either way", []porcupine.Operation{op(0, cas(0, 0, 5), regOutput{unknown: true}, 0, -1),
			op(1, rd(0), regOutput{val: 0}, 20, 30), op(1, w(0, 0), regOutput{}, 40, 50), op(1, rd(0), regOutput{val: 5}, 60, 70)}, true},
	}
	for _, tc := range cases {
		got := checkHistory(tc.ops)
		if (got == "linearizable") != tc.ok {
			t.Errorf("%s: %s, want linearizable=%v", tc.name, got, tc.ok)
		}
	}
}

// The set checker finds lost, duplicated and invented ids, and nothing
// in a correct history (unknown inserts may be present or not).
func TestCheckSet(t *testing.T) {
	attempted := map[int64]bool{1: true, 2: true, 3: true, 4: true}
	acked := map[int64]bool{1: true, 2: true}
	cases := []struct {
		got  []int64
		want []string
	}{
		{[]int64{1, 2}, nil},
		{[]int64{2, 1, 3}, nil},
		{[]int64{1}, []string{"lost"}},
		{[]int64{1, 2, 2}, []string{"duplicated"}},
		{[]int64{1, 2, 4, 4}, []string{"duplicated"}},
		{[]int64{1, 2, 9}, []string{"invented"}},
		{[]int64{9, 1, 1}, []string{"lost", "duplicated", "invented"}},
	}
	for _, tc := range cases {
		v := checkSet(attempted, acked, tc.got)
		if len(v) != len(tc.want) {
			t.Errorf("%v: %q, want %v", tc.got, v, tc.want)
			continue
		}
		all := strings.Join(v, "\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%v: %q, want one %s", tc.got, v, w)
			}
		}
	}
}

// The bank checker finds a read whose total or number of accounts is
// wrong.
func TestCheckBank(t *testing.T) {
	good := []bankRead{{balances: []int64{100, 100, 100}}, {balances: []int64{90, 110, 100}}, {balances: []int64{-5, 205, 100}}}
	if v := checkBank(good, 3, 300); len(v) != 0 {
		t.Fatalf("correct reads: %v", v)
	}
	bad := append(good, bankRead{level: "lease", balances: []int64{90, 100, 100}}, bankRead{balances: []int64{150, 150}})
	if v := checkBank(bad, 3, 300); len(v) != 2 || !strings.Contains(v[0], "totalling 290") || !strings.Contains(v[1], "saw 2 accounts") {
		t.Fatalf("bad reads: %q", v)
	}
}

// The proxy forwards a connection until its source is cut, then closes
// it and holds new ones without forwarding them; lifting the cut lets
// new connections through. Clients (an unknown source) are never cut.
func TestProxyCutsConnections(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(lis, echo.Addr().String(), map[string]int{"127.0.0.2": 7})
	defer p.Close()
	dial := func(src string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: time.Second}
		c, err := d.Dial("tcp", lis.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	echoes := func(c net.Conn) bool {
		c.SetDeadline(time.Now().Add(300 * time.Millisecond))
		if _, err := c.Write([]byte("x")); err != nil {
			return false
		}
		b := make([]byte, 1)
		_, err := io.ReadFull(c, b)
		return err == nil
	}
	node, other := dial("127.0.0.2"), dial("127.0.0.3")
	if !echoes(node) || !echoes(other) {
		t.Fatal("no echo before the cut")
	}
	p.setCut(map[int]bool{7: true})
	if echoes(node) {
		t.Fatal("the cut node's open connection still echoes")
	}
	if echoes(dial("127.0.0.2")) {
		t.Fatal("a new connection of the cut node echoes")
	}
	if !echoes(other) {
		t.Fatal("a client's connection stopped echoing")
	}
	p.setCut(nil)
	if !echoes(dial("127.0.0.2")) {
		t.Fatal("no echo after the cut was lifted")
	}
}
