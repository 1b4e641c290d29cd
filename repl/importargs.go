package repl

import (
	"fmt"
)

// importHelp is the CLI's help for .import, which it prints after an
// argument error.
const importHelp = `.import FILE TABLE       Import data from FILE into TABLE
   Options:
     --ascii               Use \037 and \036 as column and row separators
     --csv                 Use , and \n as column and row separators
     --skip N              Skip the first N rows of input
     --schema S            Target table to be S.TABLE
     -v                    "Verbose" - increase auxiliary output
   Notes:
     *  If TABLE does not exist, it is created.  The first row of input
        determines the column names.
     *  If neither --csv or --ascii are used, the input mode is derived
        from the ".mode" output mode
     *  If FILE begins with "|" then it is a command that generates the
        input text.
`

// importOptions are the arguments of one .import.
type importOptions struct {
	file, table, schema string
	verbose             int
	skip                int64
	colSep, rowSep      byte
	ascii               bool // read fields as ascii_read_one_field does
	useOutputMode       bool // separators come from the output mode
}

// parseImportArgs parses .import's arguments as the CLI does ("--x" and
// "-x" alike). asciiMode tells that the output mode is ascii. On an
// error it returns the CLI's message, which goes before importHelp.
func parseImportArgs(args []string, asciiMode bool) (importOptions, string) {
	o := importOptions{ascii: asciiMode, useOutputMode: true}
	for i := 0; i < len(args); i++ {
		z := args[i]
		if len(z) > 1 && z[0] == '-' && z[1] == '-' {
			z = z[1:]
		}
		switch {
		case z == "" || z[0] != '-':
			switch {
			case o.file == "":
				o.file = z
			case o.table == "":
				o.table = z
			default:
				return o, fmt.Sprintf("ERROR: extra argument: \"%s\".  Usage:\n", z)
			}
		case z == "-v":
			o.verbose++
		case z == "-schema" && i < len(args)-1:
			i++
			o.schema = args[i]
		case z == "-skip" && i < len(args)-1:
			i++
			o.skip = integerValue(args[i])
		case z == "-ascii":
			o.colSep, o.rowSep, o.ascii, o.useOutputMode = 0x1f, 0x1e, true, false
		case z == "-csv":
			o.colSep, o.rowSep, o.ascii, o.useOutputMode = ',', '\n', false, false
		default:
			return o, fmt.Sprintf("ERROR: unknown option: \"%s\".  Usage:\n", z)
		}
	}
	if o.table == "" {
		what := "TABLE"
		if o.file == "" {
			what = "FILE"
		}
		return o, fmt.Sprintf("ERROR: missing %s argument. Usage:\n", what)
	}
	return o, ""
}

// outputModeSeparators takes the separators from the output mode's, as
// the CLI does without --csv or --ascii; it returns the CLI's error when
// they cannot serve.
func (o *importOptions) outputModeSeparators(st *outputSettings) string {
	col, row := st.colSep, st.rowSep
	switch {
	case col == "":
		return "Error: non-null column separator required for import\n"
	case len(col) > 1:
		return "Error: multi-character column separators not allowed for import\n"
	case row == "":
		return "Error: non-null row separator required for import\n"
	}
	if st.mode == ModeCSV && row == sepCRLF {
		row = "\n" // CSV's output row separator reads as "\n"
	}
	if len(row) > 1 {
		return "Error: multi-character row separators not allowed for import\n"
	}
	o.colSep, o.rowSep = col[0], row[0]
	return ""
}

// fullTableName is the table's quoted name, with its schema when given.
func (o *importOptions) fullTableName() string {
	if o.schema != "" {
		return quoteIdent(o.schema) + "." + quoteIdent(o.table)
	}
	return quoteIdent(o.table)
}

// outputCString quotes s as the CLI's output_c_string does.
func outputCString(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '"':
			b = append(b, '\\', '"')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20 || c >= 0x7f:
			b = append(b, fmt.Sprintf("\\%03o", c)...)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}
