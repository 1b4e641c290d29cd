package statemachine

import (
	"fmt"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// Client sessions (Raft thesis §6.3): the state machine filters duplicate
// writes per client session, so that a client may send a write again
// after a leader change or a lost reply and have it applied once.
//
// A registration entry (Command.Register) creates a session whose id is the
// entry's index. A session write (Command.Session) carries its session's
// id, its sequence number Seq (from 1) and the client's acknowledged
// watermark Acked (the highest Seq whose result the client received). The
// session applies its writes strictly in Seq order:
//   - Seq = last applied + 1: the write runs as any entry (its own
//     savepoint; an SQL error is a result too), then its result is recorded
//     in SessionResultsTable in the same SQLite transaction, after the
//     entry's savepoint was released or rolled back; the results of the
//     session's seqs at or below Acked are deleted;
//   - Seq at or below the last applied: nothing runs again; the recorded
//     result is returned (Result.Repeat, the original entry's Index,
//     Statements and Err), or, if the client acknowledged it already (no
//     longer recorded), a SessionAcked refusal. A repeat changes nothing
//     but the session's last activity (its Acked is not applied);
//   - Seq beyond last applied + 1: refused, SessionOutOfOrder with
//     ResendFrom = last applied + 1; nothing applied.
//
// These are the session rules of RulesV3; changing them is a new rules
// version:
//   - Time: every registration and session write carries its proposing
//     leader's wall clock (Command.Time, Unix ms). The session "now" is the
//     highest Time applied so far, stored in MetaTable (leader_time), so it
//     is replicated and survives restarts and snapshots; a node's own clock
//     is never read. A leader whose clock is behind cannot move it back.
//   - Expiry: a session idle (no accepted write, repeats included) for
//     more than SessionTTL of that time is expired: its writes are refused
//     with SessionUnknown, never applied again. A registration deletes the
//     expired sessions and their results (deterministic garbage collection,
//     at the registration's log position).
//   - Result cap: a result whose encoding (sessionresult.go) exceeds
//     MaxRetainedResultBytes is recorded as "not retained"; its repeat
//     says so (Result.NotRetained) with the original Index only.
//   - An Acked at or above the write's own Seq counts as Seq-1: a write's
//     own result is always kept for its retry.
//
// Under RulesV1 and RulesV2, a registration or session write is refused as
// its result (ErrorRejected) on every node alike, and applies nothing.

// SessionTTL is how long a client session may stay idle, in leader time,
// before it expires (part of the rules: see above).
const SessionTTL = time.Hour

// MaxRetainedResultBytes bounds the encoded result a session keeps for a
// retry (part of the rules: see above).
const MaxRetainedResultBytes = 64 << 10

// sessionTTLMillis is SessionTTL in leader time units.
const sessionTTLMillis = int64(SessionTTL / time.Millisecond)

// sessionWrite is a session write that passed the gate and runs: what
// recordSession needs.
type sessionWrite struct {
	tag SessionTag
	now int64
	// acked is the session's stored acknowledged watermark before the
	// write.
	acked int64
}

// refuseOldRules is the result of a kind-3 entry under rules below RulesV3.
func refuseOldRules(index uint64, v RulesVersion) *Result {
	return &Result{Index: index, Err: &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Offset: -1,
		Message: fmt.Sprintf("client sessions need rules version %d; this cluster is at version %d", RulesV3, v)}}
}

// leaderTime is the stored leader time as the apply transaction in
// progress sees it: read from MetaTable at the first session entry of the
// transaction, raised in memory by each later one, and written back once,
// before the transaction commits (flushLeaderTime). The database commits
// the same value as one UPDATE per entry would (the highest of the stored
// time and every entry's), and each entry sees the same "now"; an entry's
// savepoint never covers it (it is raised before the savepoint, and kept
// when the entry fails).
type leaderTime struct {
	known bool // v was read in this transaction
	dirty bool // v is above the stored value
	v     int64
}

// advanceLeaderTime raises the leader time to t if t is later and
// returns the result: the session "now" of the current entry.
func (w *writer) advanceLeaderTime(t int64) (int64, error) {
	if !w.leader.known {
		v, err := w.run("SELECT " + leaderTimeColumn + " FROM " + MetaTable + " WHERE id = 1")
		if err != nil {
			return 0, err
		}
		w.leader = leaderTime{known: true, v: v.Int}
	}
	if t > w.leader.v {
		w.leader.v, w.leader.dirty = t, true
	}
	return w.leader.v, nil
}

// flushLeaderTime writes a raised leader time to MetaTable; called in the
// transaction, before it commits.
func (w *writer) flushLeaderTime() error {
	if !w.leader.dirty {
		return nil
	}
	if _, err := w.run("UPDATE "+MetaTable+" SET "+leaderTimeColumn+" = ?1 WHERE id = 1", Integer(w.leader.v)); err != nil {
		return err
	}
	w.leader.dirty = false
	return nil
}

// forgetLeaderTime drops what the transaction knew of the leader time:
// called when one begins (the last may have been rolled back, or the
// database replaced by a restore).
func (w *writer) forgetLeaderTime() { w.leader = leaderTime{} }

// register applies a registration at index with leader time t: it deletes
// the expired sessions and creates session index.
func (w *writer) register(index uint64, t int64) (*Result, error) {
	now, err := w.advanceLeaderTime(t)
	if err != nil {
		return nil, err
	}
	deadline := Integer(now - sessionTTLMillis)
	if _, err := w.run("DELETE FROM "+SessionResultsTable+" WHERE session IN (SELECT id FROM "+SessionsTable+" WHERE last_active < ?1)", deadline); err != nil {
		return nil, err
	}
	if _, err := w.run("DELETE FROM "+SessionsTable+" WHERE last_active < ?1", deadline); err != nil {
		return nil, err
	}
	if _, err := w.run("INSERT INTO "+SessionsTable+" (id, last_seq, acked, last_active) VALUES (?1, 0, 0, ?2)", Integer(int64(index)), Integer(now)); err != nil {
		return nil, err
	}
	return &Result{Index: index, SessionID: index}, nil
}

// sessionGate judges the session write cmd at index before it runs. It
// returns the write's final result when it must not run (a refusal or a
// repeat), else the write to record once it ran.
func (w *writer) sessionGate(index uint64, cmd Command) (*Result, *sessionWrite, error) {
	tag := *cmd.Session
	now, err := w.advanceLeaderTime(cmd.Time)
	if err != nil {
		return nil, nil, err
	}
	row, err := w.runRow("SELECT last_seq, last_active, acked FROM "+SessionsTable+" WHERE id = ?1", Integer(int64(tag.ClientID)))
	if err != nil {
		return nil, nil, fmt.Errorf("read session %d: %w", tag.ClientID, err)
	}
	refuse := func(kind SessionErrorKind, resend uint64, msg string) (*Result, *sessionWrite, error) {
		return &Result{Index: index, SessionErr: &SessionError{Kind: kind, ClientID: tag.ClientID, Seq: tag.Seq, ResendFrom: resend, Message: msg}}, nil, nil
	}
	if row == nil || row[1].Int < now-sessionTTLMillis {
		return refuse(SessionUnknown, 0, fmt.Sprintf("client session %d is unknown or expired (sessions expire after %v idle); write %d was not applied", tag.ClientID, SessionTTL, tag.Seq))
	}
	last := uint64(row[0].Int)
	switch {
	case tag.Seq == last+1:
		return nil, &sessionWrite{tag: tag, now: now, acked: row[2].Int}, nil
	case tag.Seq > last+1:
		return refuse(SessionOutOfOrder, last+1, fmt.Sprintf("client session %d: write %d is out of order; resend from %d", tag.ClientID, tag.Seq, last+1))
	}
	res, err := w.recordedResult(tag)
	if err != nil {
		return nil, nil, err
	}
	if res == nil {
		return refuse(SessionAcked, 0, fmt.Sprintf("client session %d: write %d was applied and its result acknowledged, so it is no longer kept", tag.ClientID, tag.Seq))
	}
	if _, err := w.run("UPDATE "+SessionsTable+" SET last_active = ?1 WHERE id = ?2", Integer(now), Integer(int64(tag.ClientID))); err != nil {
		return nil, nil, err
	}
	return res, nil, nil
}

// recordedResult returns the recorded result of tag's write as a repeat,
// or nil if it is no longer recorded (the client acknowledged it).
func (w *writer) recordedResult(tag SessionTag) (*Result, error) {
	row, err := w.runRow("SELECT entry_index, result FROM "+SessionResultsTable+" WHERE session = ?1 AND seq = ?2",
		Integer(int64(tag.ClientID)), Integer(int64(tag.Seq)))
	if err != nil {
		return nil, fmt.Errorf("read result %d of session %d: %w", tag.Seq, tag.ClientID, err)
	}
	if row == nil {
		return nil, nil
	}
	res := &Result{Index: uint64(row[0].Int), Repeat: true}
	if row[1].Type != TypeBlob {
		res.NotRetained = true
		return res, nil
	}
	if err := decodeResult(row[1].Blob, res); err != nil {
		return nil, fmt.Errorf("session %d seq %d: %w", tag.ClientID, tag.Seq, err)
	}
	return res, nil
}

// recordSession records the result res of the session write s (after its
// savepoint ended): the result (or "not retained"), the session's last seq
// and activity, and drops the results the client acknowledged.
func (w *writer) recordSession(s *sessionWrite, res *Result) error {
	id, seq := Integer(int64(s.tag.ClientID)), Integer(int64(s.tag.Seq))
	blob := Null()
	if enc := encodeResult(res); len(enc) <= MaxRetainedResultBytes {
		blob = Blob(enc)
	}
	if _, err := w.run("INSERT INTO "+SessionResultsTable+" (session, seq, entry_index, result) VALUES (?1, ?2, ?3, ?4)",
		id, seq, Integer(int64(res.Index)), blob); err != nil {
		return err
	}
	acked := Integer(int64(min(s.tag.Acked, s.tag.Seq-1)))
	if _, err := w.run("UPDATE "+SessionsTable+" SET last_seq = ?2, acked = max(acked, ?3), last_active = ?4 WHERE id = ?1", id, seq, acked, Integer(s.now)); err != nil {
		return err
	}
	// The session's acked as the UPDATE stored it, bound as a value: a
	// sub-select of the sessions table here makes SQLite collect the rows
	// in an ephemeral table before it deletes them (a B-tree and pager
	// opened and closed per write).
	stored := Integer(max(s.acked, acked.Int))
	_, err := w.run("DELETE FROM "+SessionResultsTable+" WHERE session = ?1 AND seq <= ?2", id, stored)
	return err
}
