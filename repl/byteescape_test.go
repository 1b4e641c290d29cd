package repl

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// Any bytes, read in any chunks, come out of the escaper as valid UTF-8
// that unescapeBytes turns back into the same bytes; valid UTF-8 outside
// the escape range passes unchanged.
func TestByteEscaperRoundTrip(t *testing.T) {
	cases := [][]byte{
		[]byte("plain ascii; é ü 日本 \U0001F600 \uFFFD"),
		{'c', 'a', 'f', 0xe9, '\r'},
		{0xff, 0xfe, 0xc3},             // ends in an incomplete sequence
		[]byte("\U0010FF80\U0010FFFF"), // runes of the escape range, typed
		{0xf4, 0x8f, 0xbf},             // an escape's prefix, cut
		{0xed, 0xa0, 0x80},             // a surrogate: invalid
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		cases = append(cases, b)
	}
	for _, in := range cases {
		for _, chunked := range []bool{false, true} {
			var r io.Reader = bytes.NewReader(in)
			if chunked {
				r = iotest.OneByteReader(r)
			}
			out, err := io.ReadAll(newByteEscaper(io.NopCloser(r)))
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(out) {
				t.Fatalf("%q: escaped %q is not UTF-8", in, out)
			}
			if got := unescapeBytes(string(out)); got != string(in) {
				t.Fatalf("%q: round trip gives %q", in, got)
			}
		}
	}
	out, _ := io.ReadAll(newByteEscaper(io.NopCloser(bytes.NewReader(cases[0]))))
	if string(out) != string(cases[0]) {
		t.Errorf("valid UTF-8 changed: %q", out)
	}
}
