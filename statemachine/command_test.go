package statemachine

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"reflect"
	"testing"
)

func TestCommandRoundTrip(t *testing.T) {
	c := Command{Statements: []Statement{
		{SQL: "INSERT INTO t VALUES (?, ?, ?, ?, ?)", Params: []Param{
			{Value: Null()}, {Value: Integer(math.MinInt64)}, {Value: Real(math.Inf(-1))},
			{Value: Text("héllo\x00world")}, {Value: Blob([]byte{})},
		}},
		{SQL: "UPDATE t SET a = :a", Params: []Param{{Name: ":a", Value: Blob([]byte{0xff, 0})}}},
		{SQL: ""},
	}}
	got, err := DecodeCommand(EncodeCommand(c))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
	}
}

func TestSessionCommandRoundTrip(t *testing.T) {
	for _, c := range []Command{
		{Register: true, Time: 1_700_000_000_123},
		{Register: true, Time: -5},
		{Session: &SessionTag{ClientID: 7, Seq: 1}, Time: 42, Statements: []Statement{{SQL: "INSERT INTO t VALUES (1)"}}},
		{Session: &SessionTag{ClientID: 1 << 40, Seq: 300, Acked: 299}, Statements: []Statement{
			{SQL: "UPDATE t SET a = ?", Params: []Param{{Value: Text("x")}}}, {SQL: "DELETE FROM t"}}},
	} {
		got, err := DecodeCommand(EncodeCommand(c))
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
		}
	}
}

func TestDecodeSessionCommandRejectsMalformed(t *testing.T) {
	cases := map[string][]byte{
		"no flags":          withCRC(3, 2),
		"unknown flags":     withCRC(3, 2, 9),
		"register trailing": withCRC(3, 2, 1, 0),
		"no client id":      withCRC(3, 2, 0, 0, 1, 0, 1, 1, 'x', 0),
		"no seq":            withCRC(3, 2, 0, 5, 0, 0, 1, 1, 'x', 0),
		"no statements":     withCRC(3, 2, 0, 5, 1, 0, 0),
		"truncated tag":     withCRC(3, 2, 0, 5),
	}
	for name, data := range cases {
		if _, err := DecodeCommand(data); !errors.Is(err, ErrBadCommand) {
			t.Errorf("%s: %v, want ErrBadCommand", name, err)
		}
	}
}

// withCRC appends a valid checksum to body, so that the structural checks
// behind it are exercised.
func withCRC(body ...byte) []byte {
	return binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, crcTable()))
}

func TestDecodeCommandRejectsMalformed(t *testing.T) {
	good := EncodeCommand(Command{Statements: []Statement{{SQL: "SELECT 1", Params: []Param{{Value: Integer(1)}}}}})
	flipped := append([]byte(nil), good...)
	flipped[3] ^= 1
	cases := map[string][]byte{
		"nil":               nil,
		"short":             {1, 1},
		"version":           append([]byte{2}, good[1:]...),
		"checksum":          flipped,
		"truncated":         good[:len(good)-1],
		"no statements":     withCRC(1, 0),
		"count too large":   withCRC(1, 200, 1, 0, 0),
		"length too large":  withCRC(1, 1, 50, 'a', 0),
		"bad varint":        withCRC(1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80),
		"unknown type":      withCRC(1, 1, 1, 'x', 1, 0, 9),
		"missing type":      withCRC(1, 1, 1, 'x', 1, 0),
		"truncated real":    withCRC(1, 1, 1, 'x', 1, 0, byte(TypeReal), 1, 2),
		"truncated integer": withCRC(1, 1, 1, 'x', 1, 0, byte(TypeInteger), 0x80),
		"trailing bytes":    withCRC(1, 1, 1, 'x', 0, 7),
	}
	for name, data := range cases {
		if _, err := DecodeCommand(data); !errors.Is(err, ErrBadCommand) {
			t.Errorf("%s: %v, want ErrBadCommand", name, err)
		}
	}
}

func TestMalformedEntryIsAResult(t *testing.T) {
	sm := openTest(t)
	res, err := sm.Apply([]raftEntry{{Index: 1, Term: 1, Data: []byte("garbage")}})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0].(*Result); r.Err == nil || r.Err.Kind != ErrorMalformed {
		t.Fatalf("result %+v", r)
	}
	if sm.AppliedIndex() != 1 {
		t.Fatalf("applied %d", sm.AppliedIndex())
	}
}
