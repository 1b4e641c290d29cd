package wire

// The client protocol carries every text a user can put bytes into (SQL,
// TEXT values, parameter and column names, error messages, dump text) as
// proto `bytes`, since a proto3 `string` must be valid UTF-8 and SQLite's
// text need not be. These helpers convert between the Go strings the rest
// of the code holds (a Go string holds any bytes) and those fields.

// Strings converts repeated bytes fields (column names, table patterns) to
// strings; none is nil.
func Strings(bs [][]byte) []string {
	if len(bs) == 0 {
		return nil
	}
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

// Bytes converts strings to repeated bytes fields; none is nil.
func Bytes(ss []string) [][]byte {
	if len(ss) == 0 {
		return nil
	}
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}
