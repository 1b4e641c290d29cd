package wal_test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/wal"
)

// Example shows what a node driver does with a Store: persist what Ready
// hands it, take a snapshot of the state machine, record it, compact the
// log keeping a tail, and read the snapshot back to send or restore.
func Example() {
	dir, _ := os.MkdirTemp("", "wal-example")
	defer os.RemoveAll(dir)
	s, err := wal.Open(dir, wal.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	// One Ready: hard state and entries, durable with one fsync.
	var ents []raft.Entry
	for i := uint64(1); i <= 10; i++ {
		ents = append(ents, raft.Entry{Index: i, Term: 1, Data: []byte(fmt.Sprintf("INSERT %d", i))})
	}
	if err := s.Save(raft.HardState{Term: 1, Vote: 1, Commit: 10}, ents); err != nil {
		fmt.Println(err)
		return
	}

	// The state machine writes a snapshot at index 8 (here: a string).
	w, _ := s.NewSnapshot()
	io.Copy(w, strings.NewReader("state as of entry 8"))
	meta := raft.SnapshotMeta{Index: 8, Term: 1, Config: raft.Configuration{Members: []raft.Member{{ID: 1, Addr: "127.0.0.1:7001"}}}}
	if err := s.SaveSnapshotFile(w, meta); err != nil {
		fmt.Println(err)
		return
	}
	if err := s.CreateSnapshot(meta); err != nil { // now it is current
		fmt.Println(err)
		return
	}
	if err := s.Compact(6); err != nil { // keep entries 6.. for slow followers
		fmt.Println(err)
		return
	}
	first, _ := s.FirstIndex()
	last, _ := s.LastIndex()
	fmt.Println("log:", first, "to", last)

	r, _ := s.OpenSnapshot()
	defer r.Close()
	data, err := io.ReadAll(r) // verifies the checksum at the end
	fmt.Printf("snapshot %d/%d: %q %v\n", r.Meta.Index, r.Meta.Term, data, err)
	// Output:
	// log: 6 to 10
	// snapshot 8/1: "state as of entry 8" <nil>
}
