package main

import (
	"bufio"
	"bytes"
	"os"
	"testing"
)

// TestShopSQLIsGenerated checks that data/shop.sql is exactly what the
// generator writes, so the shipped file never drifts from its source.
func TestShopSQLIsGenerated(t *testing.T) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := write(w, newRand()); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile("../shop.sql")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), shipped) {
		t.Fatal("data/shop.sql differs from the generator's output; run: go run ./data/gen > data/shop.sql")
	}
}
