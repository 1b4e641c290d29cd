package repl

import (
	"fmt"
	"strings"
)

// Mode is an output mode, as set by .mode.
type Mode string

// The output modes, printed as the sqlite3 CLI 3.40 prints them; Table is
// the default.
const (
	ModeList     Mode = "list" // values joined by "|"
	ModeTabs     Mode = "tabs" // list mode with a tab separator
	ModeCSV      Mode = "csv"
	ModeLine     Mode = "line"
	ModeJSON     Mode = "json"
	ModeQuote    Mode = "quote" // values as SQL literals
	ModeTable    Mode = "table"
	ModeBox      Mode = "box"
	ModeColumn   Mode = "column"
	ModeMarkdown Mode = "markdown"
	ModeInsert   Mode = "insert" // INSERT statements into .mode insert's table
	ModeHTML     Mode = "html"   // <TR><TD> rows of an HTML table
	ModeASCII    Mode = "ascii"  // list mode with the ASCII unit and record separators
)

// allModes lists the modes in the order .mode's error message names them.
var allModes = []Mode{ModeASCII, ModeBox, ModeColumn, ModeCSV, ModeHTML, ModeInsert, ModeJSON, ModeLine, ModeList, ModeMarkdown, ModeQuote, ModeTable, ModeTabs}

// modeCheckOrder is the order in which the CLI 3.40's .mode compares its
// argument, as a prefix, with mode names; the first match wins (so "li" is
// line, as "lines" comes first). Modes ReSqlite does not offer are listed
// so that their prefixes resolve as the CLI resolves them, then refused.
var modeCheckOrder = []struct {
	name string
	mode Mode
}{
	{"lines", ModeLine}, {"columns", ModeColumn}, {"list", ModeList}, {"html", ModeHTML}, {"tcl", ""},
	{"csv", ModeCSV}, {"tabs", ModeTabs}, {"insert", ModeInsert}, {"quote", ModeQuote}, {"ascii", ModeASCII},
	{"markdown", ModeMarkdown}, {"table", ModeTable}, {"box", ModeBox}, {"count", ""}, {"off", ""},
	{"json", ModeJSON},
}

// ParseMode resolves a mode name, or a prefix of one, as the CLI's .mode
// does.
func ParseMode(name string) (Mode, error) {
	if name != "" {
		for _, c := range modeCheckOrder {
			if strings.HasPrefix(c.name, name) {
				if c.mode == "" {
					return "", fmt.Errorf("mode %s is not supported by ReSqlite", c.name)
				}
				return c.mode, nil
			}
		}
	}
	var names []string
	for _, m := range allModes {
		names = append(names, string(m))
		if m == ModeMarkdown {
			names = append(names, "qbox") // box --quote, as in the CLI's list
		}
	}
	return "", fmt.Errorf("mode should be one of: %s", strings.Join(names, " "))
}

// tabular reports the modes drawn as tables, which take .mode's wrapping
// options and, at the prompt, report rows affected after a write.
func (m Mode) tabular() bool {
	switch m {
	case ModeTable, ModeBox, ModeColumn, ModeMarkdown:
		return true
	}
	return false
}

// Separators the CLI uses.
const (
	sepColumn = "|"
	sepRow    = "\n"
	sepComma  = ","
	sepCRLF   = "\r\n"
	sepTab    = "\t"
	sepUnit   = "\x1f" // ASCII unit separator (.mode ascii)
	sepRecord = "\x1e" // ASCII record separator (.mode ascii)
)

// defaultInsertTable is the table .mode insert writes into when it names
// none (quoted, as "table" is a keyword).
const defaultInsertTable = "table"

// outputSettings are the display settings dot-commands change.
type outputSettings struct {
	mode    Mode
	headers bool
	// headerSet records that .headers was used: .mode column then leaves
	// headers as they are instead of turning them on.
	headerSet bool
	nullValue string
	colSep    string
	rowSep    string
	columns   columnOptions // table modes: wrapping, quoting, .width
	// insertTable is .mode insert's table name, quoted as the CLI's
	// set_table_name quotes it.
	insertTable string
}

// defaultOutputSettings is the state a new shell starts in.
func defaultOutputSettings() outputSettings {
	return outputSettings{mode: ModeTable, colSep: sepColumn, rowSep: sepRow, columns: columnOptions{wrap: defaultWrap}}
}

// setMode switches mode and resets separators as the CLI's .mode does; a
// table mode takes opts (its wrapping and quoting; the widths stay), and
// column mode turns headers on unless .headers was used.
func (s *outputSettings) setMode(m Mode, opts columnOptions) {
	s.mode = m
	if m.tabular() {
		opts.widths = s.columns.widths
		s.columns = opts
	}
	switch m {
	case ModeColumn:
		if !s.headerSet {
			s.headers = true
		}
		s.rowSep = sepRow
	case ModeList:
		s.colSep, s.rowSep = sepColumn, sepRow
	case ModeCSV:
		s.colSep, s.rowSep = sepComma, sepCRLF
	case ModeTabs:
		s.mode = ModeList
		s.colSep = sepTab
	case ModeLine:
		s.rowSep = sepRow
	case ModeQuote:
		s.colSep, s.rowSep = sepComma, sepRow
	case ModeASCII:
		s.colSep, s.rowSep = sepUnit, sepRecord
	case ModeInsert:
		s.insertTable = quoteIdentifier(defaultInsertTable)
	}
}

// modeName is what ".mode" with no argument reports: the mode (tabs is
// list with a TAB separator, so "list", as the CLI says), and for the
// table modes their options.
func (s *outputSettings) modeName() string {
	if s.mode.tabular() {
		return string(s.mode) + s.columns.describe()
	}
	return string(s.mode)
}
