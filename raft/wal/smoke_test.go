package wal

import (
	"testing"

	"github.com/resqlite/resqlite/raft"
)

func TestSmoke(t *testing.T) {
	s := openT(t, t.TempDir())
	hs := raft.HardState{Term: 1, Vote: 2, Commit: 3}
	ents := makeEntries(1, 100, 1, 100)
	for i := 0; i < len(ents); i += 7 {
		mustSave(t, s, hs, ents[i:min(i+7, len(ents))])
	}
	checkLog(t, s, 1, ents, hs)
	s = reopen(t, s)
	checkLog(t, s, 1, ents, hs)
	s.Close()
}
