package statemachine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Statement is one SQL text and the parameters bound to it. Without
// parameters, SQL may hold several statements, which run in order and each
// give a StatementResult; with parameters it must hold exactly one.
type Statement struct {
	SQL    string
	Params []Param
}

// Command is the payload of a normal Raft entry: statements that apply
// atomically, all or none. A transaction block assembled by the client is
// one Command holding the block's statements without BEGIN and COMMIT
// (BEGIN, COMMIT and ROLLBACK are rejected inside a Command; SAVEPOINT,
// RELEASE and ROLLBACK TO nest inside the entry, see the package doc).
type Command struct {
	Statements []Statement
	// Rules, when not zero, makes the Command a rules entry: it holds no
	// statements and puts determinism rules version Rules in force from
	// its log position on (see rules.go).
	Rules RulesVersion
	// Register, when set, makes the Command a session registration (Raft
	// thesis §6.3): it holds no statements, and the new client session's
	// id is the entry's log index (Result.SessionID).
	Register bool
	// Session, when not nil, places the write in a registered client
	// session, which applies each sequence number once (see session.go).
	Session *SessionTag
	// RestoreChunk, when not nil, makes the Command a restore chunk and
	// RestoreFinish a restore's finishing entry (RulesV4, restore.go):
	// they hold no statements.
	RestoreChunk  *RestoreChunk
	RestoreFinish *RestoreFinish
	// Time is the proposing leader's wall clock in Unix milliseconds,
	// carried by registrations and session writes. Sessions expire by
	// these stamps, never by a node's own clock.
	Time int64
}

// SessionTag places a write in a client session (Raft thesis §6.3).
type SessionTag struct {
	// ClientID is the session's id: the log index of its registration.
	ClientID uint64
	// Seq is the write's sequence number in the session, from 1; the
	// session applies its writes strictly in Seq order, each once.
	Seq uint64
	// Acked is the highest Seq whose result the client has received: the
	// results up to it need not be kept for a retry.
	Acked uint64
}

// The first byte of an encoded Command tells its kind and encoding.
const (
	// commandVersion: statements (the only kind before rules versions).
	commandVersion = 1
	// rulesKind: a rules entry.
	rulesKind = 2
	// sessionKind: a session registration or a session write (from
	// RulesV3 on).
	sessionKind = 3
	// restoreChunkKind and restoreFinishKind: a restore's chunk and its
	// finishing entry (from RulesV4 on).
	restoreChunkKind  = 4
	restoreFinishKind = 5
)

// sessionRegister is the flags byte of a registration; a session write
// has 0 there.
const sessionRegister = 1

// crcTable returns the CRC-32C (Castagnoli) table, the checksum of encoded
// Commands and snapshots (crc32 builds it once).
func crcTable() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// ErrBadCommand is wrapped by every DecodeCommand error.
var ErrBadCommand = errors.New("statemachine: malformed command")

// EncodeCommand encodes c as an entry payload. A rules entry (c.Rules not
// zero) is
//
//	kind byte (2), uvarint rules version, CRC-32C as below
//
// and statements are
//
//	version byte (1), statements body, CRC-32C
//
// and a session registration or write (Register or Session set) is
//
//	kind byte (3), zigzag varint Time, flags byte (1: registration, 0: write)
//	write only: uvarint ClientID, Seq, Acked, then the statements body
//	CRC-32C
//
// where the statements body is
//
//	uvarint statement count, then per statement:
//	  uvarint len, SQL bytes, uvarint parameter count, then per parameter:
//	    uvarint len, name bytes, type byte (ValueType), value:
//	      integer: zigzag varint; real: 8 bytes little-endian IEEE bits;
//	      text, blob: uvarint len, bytes; null: nothing
//	CRC-32C (Castagnoli) of everything before it, 4 bytes little-endian
//
// A restore's chunk or finishing entry (kinds 4 and 5) is laid out as
// encodeRestore says.
func EncodeCommand(c Command) []byte {
	if c.RestoreChunk != nil || c.RestoreFinish != nil {
		return encodeRestore(c)
	}
	if c.Rules != 0 {
		b := binary.AppendUvarint([]byte{rulesKind}, uint64(c.Rules))
		return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable()))
	}
	b := make([]byte, 0, 40+encodedSize(c))
	switch {
	case c.Register:
		b = binary.AppendVarint(append(b, sessionKind), c.Time)
		b = append(b, sessionRegister)
		return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable()))
	case c.Session != nil:
		b = binary.AppendVarint(append(b, sessionKind), c.Time)
		b = append(b, 0)
		b = binary.AppendUvarint(b, c.Session.ClientID)
		b = binary.AppendUvarint(b, c.Session.Seq)
		b = binary.AppendUvarint(b, c.Session.Acked)
	default:
		b = append(b, commandVersion)
	}
	b = appendStatements(b, c.Statements)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable()))
}

// appendStatements appends the statements body of an encoded Command.
func appendStatements(b []byte, stmts []Statement) []byte {
	b = binary.AppendUvarint(b, uint64(len(stmts)))
	for _, s := range stmts {
		b = appendString(b, s.SQL)
		b = binary.AppendUvarint(b, uint64(len(s.Params)))
		for _, p := range s.Params {
			b = appendString(b, p.Name)
			b = appendValue(b, p.Value)
		}
	}
	return b
}

func encodedSize(c Command) int {
	n := 0
	for _, s := range c.Statements {
		n += len(s.SQL) + 4
		for _, p := range s.Params {
			n += len(p.Name) + len(p.Value.Text) + len(p.Value.Blob) + 12
		}
	}
	return n
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendValue(b []byte, v Value) []byte {
	b = append(b, byte(v.Type))
	switch v.Type {
	case TypeInteger:
		b = binary.AppendVarint(b, v.Int)
	case TypeReal:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Real))
	case TypeText:
		b = appendString(b, v.Text)
	case TypeBlob:
		b = binary.AppendUvarint(b, uint64(len(v.Blob)))
		b = append(b, v.Blob...)
	}
	return b
}

// DecodeCommand decodes an entry payload made by EncodeCommand. Any
// malformed input (wrong version, bad checksum, truncated or trailing
// bytes, unknown value type, no statements) gives an error wrapping
// ErrBadCommand.
func DecodeCommand(data []byte) (Command, error) {
	if len(data) < 1+1+4 {
		return Command{}, fmt.Errorf("%w: %d bytes is too short", ErrBadCommand, len(data))
	}
	if data[0] < commandVersion || data[0] > restoreFinishKind {
		return Command{}, fmt.Errorf("%w: unknown version %d", ErrBadCommand, data[0])
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, crcTable()) != sum {
		return Command{}, fmt.Errorf("%w: checksum mismatch", ErrBadCommand)
	}
	d := decoder{b: body[1:]}
	var c Command
	switch data[0] {
	case rulesKind:
		return d.rules()
	case restoreChunkKind, restoreFinishKind:
		return d.restore(data[0])
	case sessionKind:
		c = d.sessionHeader()
		if c.Register {
			return d.end(c)
		}
	}
	c.Statements = d.statements()
	return d.end(c)
}

// statements decodes a statements body.
func (d *decoder) statements() []Statement {
	n := d.count(2)
	if d.err == nil && n == 0 {
		d.fail("no statements")
	}
	var stmts []Statement
	if d.err == nil {
		stmts = make([]Statement, 0, n)
	}
	for i := 0; i < n && d.err == nil; i++ {
		s := Statement{SQL: d.string()}
		np := d.count(3)
		if np > 0 && d.err == nil {
			s.Params = make([]Param, 0, np)
		}
		for j := 0; j < np && d.err == nil; j++ {
			p := Param{Name: d.string()}
			p.Value = d.value()
			s.Params = append(s.Params, p)
		}
		stmts = append(stmts, s)
	}
	return stmts
}

// sessionHeader decodes what follows the kind byte of a session entry, up
// to its statements.
func (d *decoder) sessionHeader() Command {
	c := Command{Time: d.varint()}
	if d.err == nil && len(d.b) == 0 {
		d.fail("missing session flags")
	}
	if d.err != nil {
		return Command{}
	}
	flags := d.b[0]
	d.b = d.b[1:]
	switch flags {
	case sessionRegister:
		c.Register = true
	case 0:
		c.Session = &SessionTag{ClientID: d.uvarint(), Seq: d.uvarint(), Acked: d.uvarint()}
		if d.err == nil && (c.Session.ClientID == 0 || c.Session.Seq == 0) {
			d.fail("session write without a client id or sequence number")
		}
	default:
		d.fail(fmt.Sprintf("unknown session flags %d", flags))
	}
	return c
}

// end checks that the whole body was read and returns c or the first
// failure.
func (d *decoder) end(c Command) (Command, error) {
	if d.err == nil && len(d.b) != 0 {
		d.fail(fmt.Sprintf("%d trailing bytes", len(d.b)))
	}
	if d.err != nil {
		return Command{}, d.err
	}
	return c, nil
}

// rules decodes the body of a rules entry.
func (d *decoder) rules() (Command, error) {
	v := d.uvarint()
	switch {
	case d.err != nil:
	case v == 0 || v > math.MaxUint32:
		d.fail(fmt.Sprintf("bad rules version %d", v))
	case len(d.b) != 0:
		d.fail(fmt.Sprintf("%d trailing bytes", len(d.b)))
	}
	if d.err != nil {
		return Command{}, d.err
	}
	return Command{Rules: RulesVersion(v)}, nil
}

// decoder reads the body of an encoded Command; the first failure sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrBadCommand, what)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad length")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads an element count; each element takes at least minSize bytes,
// so a count larger than what remains is rejected before allocating.
func (d *decoder) count(minSize int) int {
	v := d.uvarint()
	if d.err == nil && v > uint64(len(d.b)/minSize) {
		d.fail(fmt.Sprintf("count %d exceeds the payload", v))
		return 0
	}
	return int(v)
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail(fmt.Sprintf("length %d exceeds the payload", n))
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) value() Value {
	if d.err != nil {
		return Value{}
	}
	if len(d.b) == 0 {
		d.fail("missing value type")
		return Value{}
	}
	t := ValueType(d.b[0])
	d.b = d.b[1:]
	switch t {
	case TypeNull:
		return Null()
	case TypeInteger:
		v, n := binary.Varint(d.b)
		if n <= 0 {
			d.fail("bad integer")
			return Value{}
		}
		d.b = d.b[n:]
		return Integer(v)
	case TypeReal:
		if len(d.b) < 8 {
			d.fail("truncated real")
			return Value{}
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
		d.b = d.b[8:]
		return Real(v)
	case TypeText:
		return Text(d.string())
	case TypeBlob:
		b := d.bytes()
		return Blob(append([]byte{}, b...))
	}
	d.fail(fmt.Sprintf("unknown value type %d", t))
	return Value{}
}
