package repl

// scanState is the sqlite3 CLI's QuickScanState: what the lines read so
// far end in. The low byte is the closing character being waited for (a
// quote, ']', or '*' for a block comment), or 0 in plain text.
type scanState uint16

const (
	scanStart      scanState = 0
	scanHasDark    scanState = 0x100 // something other than space, comments and ';' was seen
	scanEndingSemi scanState = 0x200 // the last dark character was ';'
	scanWaitMask   scanState = 0xff
)

// inPlain reports that no string, identifier or comment is open.
func (s scanState) inPlain() bool { return s&scanWaitMask == 0 }

// plainWhite reports that only whitespace, comments and ';' were seen and
// nothing is open.
func (s scanState) plainWhite() bool { return s&^scanEndingSemi == scanStart }

// semiTerminated reports that the text ends in ';' outside anything open.
func (s scanState) semiTerminated() bool { return s&^scanHasDark == scanEndingSemi }

// quickScan advances st over one input line, as the CLI's quickscan() does
// to decide cheaply whether accumulated lines may form a complete statement.
func quickScan(line string, st scanState) scanState {
	i := 0
	wait := byte(st & scanWaitMask)
	for {
		if wait == 0 {
			for i < len(line) {
				c := line[i]
				i++
				if isCSpace(c) {
					continue
				}
				switch c {
				case '-':
					if i < len(line) && line[i] == '-' {
						return st
					}
				case ';':
					st |= scanEndingSemi
					continue
				case '/':
					if i < len(line) && line[i] == '*' {
						i++
						wait = '*'
						st = st&^scanWaitMask | scanState(wait)
						goto awaiting
					}
				case '[', '`', '\'', '"':
					wait = c
					if c == '[' {
						wait = ']'
					}
					st = scanHasDark | scanState(wait)
					goto awaiting
				}
				st = st&^scanEndingSemi | scanHasDark
			}
			return st
		}
	awaiting:
		for {
			if i >= len(line) {
				return st
			}
			c := line[i]
			i++
			if c != wait {
				continue
			}
			if wait == '*' {
				if i >= len(line) || line[i] != '/' {
					continue
				}
				i++
			} else if wait != ']' && i < len(line) && line[i] == wait {
				i++ // a doubled quote stays inside the string
				continue
			}
			wait = 0
			st &^= scanWaitMask
			break
		}
	}
}
