package repl

import (
	"strconv"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// parseDotArgs splits a dot-command line into words as the CLI does:
// whitespace separates words; '…' quotes literally; "…" quotes with
// backslash escapes; an unquoted word is taken as it is.
func parseDotArgs(line string) []string {
	var args []string
	i := 0
	for {
		for i < len(line) && isCSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return args
		}
		if q := line[i]; q == '\'' || q == '"' {
			i++
			start := i
			for i < len(line) && line[i] != q {
				if line[i] == '\\' && q == '"' && i+1 < len(line) {
					i++
				}
				i++
			}
			word := line[start:i]
			if i < len(line) {
				i++
			}
			if q == '"' {
				word = resolveBackslashes(word)
			}
			args = append(args, word)
			continue
		}
		start := i
		for i < len(line) && !isCSpace(line[i]) {
			i++
		}
		args = append(args, line[start:i])
	}
}

// resolveBackslashes interprets C escapes as the CLI's resolve_backslashes
// does: \a \b \t \n \v \f \r \" \' \\, \xHH and up to three octal digits.
func resolveBackslashes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && strings.IndexByte("0123456789abcdefABCDEF", s[j]) >= 0 {
				j++
			}
			v, _ := strconv.ParseUint(s[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			if c >= '0' && c <= '7' {
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(s[i:j], 8, 8)
				b.WriteByte(byte(v))
				i = j - 1
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// booleanValue is the CLI's booleanValue: on/yes/true and non-zero
// integers are true, off/no/false and zero are false; anything else is
// false with a complaint (ok is false).
func booleanValue(arg string) (value, ok bool) {
	if n, err := strconv.ParseInt(arg, 0, 64); err == nil {
		return n != 0, true
	}
	switch strings.ToLower(arg) {
	case "on", "yes", "true":
		return true, true
	case "off", "no", "false":
		return false, true
	}
	return false, false
}

// integerValue is the CLI's integerValue: an optional sign, then hex
// digits after "0x" or decimal digits (up to the first other character),
// then an optional size suffix (KiB, MiB, GiB, KB, MB, GB, K, M, G, any
// case). Anything unparsable is 0.
func integerValue(arg string) int64 {
	neg := false
	switch {
	case strings.HasPrefix(arg, "-"):
		neg, arg = true, arg[1:]
	case strings.HasPrefix(arg, "+"):
		arg = arg[1:]
	}
	var v int64
	if strings.HasPrefix(arg, "0x") {
		arg = arg[2:]
		for len(arg) > 0 {
			d := strings.Index("0123456789abcdef", sqlval.LowerASCII(arg[:1]))
			if d < 0 {
				break
			}
			v, arg = v<<4+int64(d), arg[1:]
		}
	} else {
		for len(arg) > 0 && arg[0] >= '0' && arg[0] <= '9' {
			v, arg = v*10+int64(arg[0]-'0'), arg[1:]
		}
	}
	for _, m := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1024}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1000}, {"M", 1e6}, {"G", 1e9}} {
		if strings.EqualFold(arg, m.suffix) {
			v *= m.mult
			break
		}
	}
	if neg {
		return -v
	}
	return v
}
