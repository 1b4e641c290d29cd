package statemachine

import (
	"encoding/binary"
	"fmt"
)

// resultFormat is the first byte of an encoded session result.
const resultFormat = 1

// encodeResult encodes the Statements and Err of a session write's result
// for SessionResultsTable (the entry's index is stored beside it):
//
//	format byte (1), uvarint statement count, then per statement:
//	  zigzag varint RowsAffected, LastInsertRowID,
//	  uvarint column count, column names (uvarint len, bytes),
//	  uvarint row count, rows of column-count values (as in EncodeCommand)
//	error flag byte (0: none; 1: then uvarint Kind, zigzag varint Code,
//	  uvarint len and Message bytes, uvarint Statement, zigzag varint Offset)
func encodeResult(res *Result) []byte {
	b := binary.AppendUvarint([]byte{resultFormat}, uint64(len(res.Statements)))
	for _, st := range res.Statements {
		b = binary.AppendVarint(b, st.RowsAffected)
		b = binary.AppendVarint(b, st.LastInsertRowID)
		b = binary.AppendUvarint(b, uint64(len(st.Columns)))
		for _, c := range st.Columns {
			b = appendString(b, c)
		}
		b = binary.AppendUvarint(b, uint64(len(st.Rows)))
		for _, row := range st.Rows {
			for _, v := range row {
				b = appendValue(b, v)
			}
		}
	}
	if res.Err == nil {
		return append(b, 0)
	}
	e := res.Err
	b = binary.AppendUvarint(append(b, 1), uint64(e.Kind))
	b = binary.AppendVarint(b, int64(e.Code))
	b = appendString(b, e.Message)
	b = binary.AppendUvarint(b, uint64(e.Statement))
	return binary.AppendVarint(b, int64(e.Offset))
}

// decodeResult decodes what encodeResult made into res.
func decodeResult(data []byte, res *Result) error {
	if len(data) == 0 || data[0] != resultFormat {
		return fmt.Errorf("recorded session result: unknown format")
	}
	d := decoder{b: data[1:]}
	n := d.count(4)
	for i := 0; i < n && d.err == nil; i++ {
		st := StatementResult{RowsAffected: d.varint(), LastInsertRowID: d.varint()}
		for nc := d.count(1); len(st.Columns) < nc && d.err == nil; {
			st.Columns = append(st.Columns, d.string())
		}
		nr := d.count(1)
		for r := 0; r < nr && d.err == nil; r++ {
			row := make([]Value, len(st.Columns))
			for c := range row {
				row[c] = d.value()
			}
			st.Rows = append(st.Rows, row)
		}
		res.Statements = append(res.Statements, st)
	}
	if d.err == nil && len(d.b) > 0 && d.b[0] == 1 {
		d.b = d.b[1:]
		e := &Error{Kind: ErrorKind(d.uvarint()), Code: int(d.varint()), Message: d.string()}
		e.Statement, e.Offset = int(d.uvarint()), int(d.varint())
		res.Err = e
	} else if d.err == nil && len(d.b) > 0 && d.b[0] == 0 {
		d.b = d.b[1:]
	} else {
		d.fail("missing error flag")
	}
	if _, err := d.end(Command{}); err != nil {
		return fmt.Errorf("recorded session result: %w", err)
	}
	return nil
}
