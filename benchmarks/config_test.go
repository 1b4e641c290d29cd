package main

import (
	"io"
	"slices"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	c, err := parseConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Runs != 5 || c.Budget != time.Minute || c.Deadline != 13*time.Minute || c.Sizes.N != fullSizes().N || c.ConcDuration != 500*time.Millisecond || !slices.Equal(c.Clients, []int{1, 8, 64, 256}) {
		t.Errorf("defaults %+v", c)
	}
	q, err := parseConfig([]string{"-quick", "-scale", "10", "-n", "77", "-clients", "2, 4"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if q.Runs != 3 || q.Budget != 5*time.Second || q.Deadline != 100*time.Second || q.Sizes.N != 77 || q.Sizes.Pairs != 10*quickSizes().Pairs || q.ConcRows != 10_000 || !slices.Equal(q.Clients, []int{2, 4}) {
		t.Errorf("-quick -scale 10 -n 77: %+v", q)
	}
	if !q.wants("conc-mix") {
		t.Error("no -match wants everything")
	}
	if q, _ := parseConfig([]string{"-quick"}, io.Discard); !slices.Equal(q.Clients, []int{1, 8, 64}) {
		t.Errorf("-quick clients %v, want 1, 8, 64", q.Clients)
	}
	m, _ := parseConfig([]string{"-match", "^wOnly$"}, io.Discard)
	if !m.wants("wOnly") || m.wants("conc-write") || m.wants("rOnly") {
		t.Error("-match ^wOnly$ selects other workloads")
	}
	for _, bad := range [][]string{{"-runs", "-1"}, {"-scale", "0"}, {"-clients", "1,x"}, {"-match", "("}, {"extra"}, {"-n", "-3"}, {"-scale-check", "1"}, {"-scale-check", "-2"}} {
		if _, err := parseConfig(bad, io.Discard); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
