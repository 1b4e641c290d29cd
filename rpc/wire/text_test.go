package wire

import (
	"bytes"
	"testing"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/protobuf/proto"
)

// invalid is text SQLite stores and prints back as it is but that is not
// UTF-8 (a Latin-1 é, a stray continuation byte, a cut sequence).
const invalid = "caf\xe9 \xff\xc3"

// TestUserBytesSurviveTheWire: every field that carries a user's bytes
// marshals and unmarshals invalid UTF-8 unchanged (a proto3 string field
// refuses to marshal it).
func TestUserBytesSurviveTheWire(t *testing.T) {
	msgs := []proto.Message{
		&resqlitepb.ExecuteRequest{Statements: []*resqlitepb.Statement{{
			Sql:    []byte("INSERT INTO t VALUES ('" + invalid + "', :" + invalid + ")"),
			Params: ParamsToProto([]sqlval.Param{{Name: ":" + invalid, Value: sqlval.Text(invalid)}}),
		}}},
		&resqlitepb.ExecuteResponse{
			Results: []*resqlitepb.StatementResult{{Columns: Bytes([]string{invalid}), Rows: RowsToProto([][]sqlval.Value{{sqlval.Text(invalid)}})}},
			Error:   &resqlitepb.SqlError{Message: []byte("no such table: " + invalid)},
		},
		&resqlitepb.QueryRequest{Sql: []byte("SELECT '" + invalid + "'")},
		&resqlitepb.QueryResponse{Columns: Bytes([]string{invalid}), Rows: RowsToProto([][]sqlval.Value{{sqlval.Text(invalid)}})},
		&resqlitepb.DumpRequest{Tables: Bytes([]string{invalid})},
		&resqlitepb.DumpChunk{Sql: []byte("INSERT INTO t VALUES('" + invalid + "');\n")},
	}
	for _, m := range msgs {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Errorf("marshal %T: %v", m, err)
			continue
		}
		back := m.ProtoReflect().New().Interface()
		if err := proto.Unmarshal(b, back); err != nil {
			t.Errorf("unmarshal %T: %v", m, err)
			continue
		}
		if !proto.Equal(back, m) {
			t.Errorf("%T came back as %v, sent %v", m, back, m)
		}
		if !bytes.Contains(b, []byte(invalid)) {
			t.Errorf("%T: the bytes are not on the wire as they are", m)
		}
	}
	v := ValueFromProto(ValueToProto(sqlval.Text(invalid)))
	if v.Type != sqlval.TypeText || v.Text != invalid {
		t.Errorf("text %q came back as %v %q", invalid, v.Type, v.Text)
	}
}

// TestStringsAndBytes: the repeated-field conversions keep every byte and
// map none to nil.
func TestStringsAndBytes(t *testing.T) {
	ss := []string{invalid, "", "a"}
	back := Strings(Bytes(ss))
	if len(back) != len(ss) || back[0] != invalid || back[1] != "" || back[2] != "a" {
		t.Errorf("%q came back as %q", ss, back)
	}
	if Strings(nil) != nil || Bytes(nil) != nil {
		t.Error("none must convert to nil")
	}
}
