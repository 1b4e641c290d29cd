package raft

import "testing"

// Paper §5.3: a follower acknowledges only entries it stores. A driver
// that stalled hands the core many messages before its next Ready; when a
// new leader's MsgApp truncates entries that an earlier message of the
// same batch appended, the acknowledgment of those entries must not leave
// with that Ready, which persists the truncated log.
func TestAckWithdrawnWhenBatchTruncatesTheEntries(t *testing.T) {
	store := storeWith(t, HardState{Term: 1}, 1)
	c := newTestCore(t, 2, ids(3), store, nil)
	ents := func(term uint64, from, to uint64) []Entry {
		var out []Entry
		for i := from; i <= to; i++ {
			out = append(out, Entry{Index: i, Term: term, Data: []byte("x")})
		}
		return out
	}
	mustStep(t, c, Message{Type: MsgApp, From: 1, To: 2, Term: 2, Index: 1, LogTerm: 1, Entries: ents(2, 2, 6)})
	mustStep(t, c, Message{Type: MsgApp, From: 3, To: 2, Term: 3, Index: 1, LogTerm: 1, Entries: ents(3, 2, 3)})
	rd := c.Ready()
	last := rd.Entries[len(rd.Entries)-1].Index
	for _, m := range rd.Messages {
		if m.Type == MsgAppResp && !m.Reject && m.Index > last {
			t.Fatalf("acknowledges index %d (term %d) while the Ready's log ends at %d", m.Index, m.Term, last)
		}
	}
	if got := filterMsgs(rd.Messages, MsgAppResp); len(got) != 1 || got[0].To != 3 || got[0].Index != 3 {
		t.Fatalf("acknowledgments %+v, want only node 3's of index 3", got)
	}
}
