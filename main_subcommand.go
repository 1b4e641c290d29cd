package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A subcommand is selected by the program's first argument and has its
// own flags and -h (`resqlite backup -h`).
type subcommand struct {
	name    string
	summary string
	// run runs the subcommand on the arguments after its name and
	// returns the exit code.
	run func(args []string, stdout, stderr io.Writer) int
}

// subcommands are the subcommands of this build. Later work registers
// its own here (and removes its name from reservedSubcommands).
func subcommands() []subcommand {
	return []subcommand{backupSubcommand(), restoreSubcommand(), passwdCommand()}
}

// reservedSubcommands are names kept for subcommands not built yet: they
// never fall through to the advice for a stray argument.
func reservedSubcommands() []string {
	return nil
}

// subcommandList describes the subcommands for the usage message.
func subcommandList(cmds []subcommand) string {
	var parts []string
	for _, c := range cmds {
		parts = append(parts, c.name+" ("+c.summary+")")
	}
	if len(parts) == 0 {
		parts = append(parts, "none in this build")
	}
	list := strings.Join(parts, ", ")
	if reserved := reservedSubcommands(); len(reserved) > 0 {
		list += "; reserved for later versions: " + strings.Join(reserved, ", ")
	}
	return list
}

// dispatch runs the subcommand args[0] names, if args starts with a
// positional argument (a flag first means no subcommand: ok is false).
func dispatch(cmds []subcommand, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return 0, false
	}
	name := args[0]
	if i := slices.IndexFunc(cmds, func(c subcommand) bool { return c.name == name }); i >= 0 {
		return cmds[i].run(args[1:], stdout, stderr), true
	}
	fmt.Fprintf(stderr, "resqlite: %v\n", positionalError(name, false))
	return 2, true
}

// positionalError says what to do instead of giving arg, a positional
// argument that is no subcommand (afterFlags: it followed flags).
func positionalError(arg string, afterFlags bool) error {
	switch ext := strings.ToLower(filepath.Ext(arg)); {
	case slices.Contains(reservedSubcommands(), arg):
		return fmt.Errorf("the subcommand %q is not in this build yet", arg)
	case afterFlags && isSubcommand(arg):
		return fmt.Errorf("%q is a subcommand: give it first, before its flags (resqlite %s -h)", arg, arg)
	case ext == ".sql":
		return fmt.Errorf("%q: to run a SQL file, give it with -batch: resqlite -batch %s", arg, arg)
	case ext == ".db" || ext == ".sqlite" || ext == ".sqlite3" || ext == ".db3":
		return fmt.Errorf("%q: resqlite does not open database files; its data lives in a data directory (-data DIR, default resqlite-data/node-<id>). To start a new node with it as its database: resqlite -boot %s; to copy it into a running cluster: resqlite restore -connect HOST:PORT %s", arg, arg, arg)
	}
	return fmt.Errorf("unexpected argument %q: resqlite takes flags, or a subcommand first (resqlite -h lists both)", arg)
}

// parseSubcommandFlags parses a subcommand's flags, defined in fs, the
// same way for every subcommand: -h writes its usage (the summary, then
// the flags) to stdout and exits 0; a bad flag or a stray argument is a
// one-line error and exit 2. done is true when the caller must return
// code.
func parseSubcommandFlags(c subcommand, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "Usage: resqlite %s [flags]\n\n%s\n\nFlags:\n", c.name, c.summary)
		fs.VisitAll(func(fl *flag.Flag) { printFlag(stdout, fl) })
		return 0, true
	case err != nil:
		fmt.Fprintf(stderr, "resqlite %s: %v (resqlite %s -h lists the flags)\n", c.name, err, c.name)
		return 2, true
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "resqlite %s: unexpected argument %q (resqlite %s -h lists the flags)\n", c.name, fs.Arg(0), c.name)
		return 2, true
	}
	return 0, false
}

// dataFileError says what to do when -data names a file (a sqlite3
// database, most likely) rather than a directory; nil otherwise.
func dataFileError(dir string) error {
	st, err := os.Stat(dir)
	if err != nil || st.IsDir() {
		return nil
	}
	return fmt.Errorf("-data %s is a file; -data takes a directory, and resqlite does not open database files (to start a new node with it as its database: resqlite -boot %s)", dir, dir)
}

// isSubcommand reports whether name is a subcommand of this build.
func isSubcommand(name string) bool {
	return slices.ContainsFunc(subcommands(), func(c subcommand) bool { return c.name == name })
}
