package repl

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// dotCommand is one dot-command: its name, its one-line usage for .help,
// and what it does. run returns quit (end this input) and failed (count
// an error, as the CLI's rc=1).
type dotCommand struct {
	name  string
	usage string
	help  string
	run   func(s *Shell, ctx context.Context, args []string) (quit, failed bool)
}

// dotCommands returns the table of dot-commands, sorted by name.
func dotCommands() []dotCommand {
	cmds := append(localCommands(), clusterCommands()...)
	cmds = append(cmds, infoCommands()...)
	cmds = append(cmds, importCommand())
	cmds = append(cmds, backupCommands()...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

// findDotCommand resolves a command word: an exact name, a short prefix
// the CLI resolves by the order of its checks (preferredPrefixes), or a
// prefix of exactly one name. Anything else is unknown.
func findDotCommand(word string) (dotCommand, bool) {
	cmds := dotCommands()
	for _, c := range cmds {
		if c.name == word {
			return c, true
		}
	}
	if name := preferredPrefix(word); name != "" {
		for _, c := range cmds {
			if c.name == name {
				return c, true
			}
		}
	}
	var match []dotCommand
	for _, c := range cmds {
		if word != "" && strings.HasPrefix(c.name, word) {
			match = append(match, c)
		}
	}
	if len(match) == 1 {
		return match[0], true
	}
	return dotCommand{}, false
}

// preferredPrefix resolves the short prefixes that the CLI's order of
// checks gives to one command among several candidates.
func preferredPrefix(word string) string {
	switch word {
	case "h", "he":
		return "headers"
	case "e":
		return "echo"
	case "d":
		return "dump"
	case "p":
		return "print"
	case "st", "sta", "stat":
		return "stats"
	case "ex":
		return "exit"
	case "c":
		return "changes"
	case "s":
		return "schema"
	case "t":
		return "tables"
	case "r":
		return "read"
	case "o":
		return "output"
	case "n":
		return "nullvalue"
	case "i":
		return "import"
	}
	return ""
}

// runDotCommand parses and runs one dot-command line.
func (s *Shell) runDotCommand(ctx context.Context, line string) (quit, failed bool) {
	args := parseDotArgs(line[1:])
	if len(args) == 0 {
		return false, false
	}
	cmd, ok := findDotCommand(args[0])
	if !ok {
		fmt.Fprintf(s.opts.Stderr, "Error: unknown command or invalid arguments:  \"%s\". Enter \".help\" for help\n", args[0])
		return false, true
	}
	return cmd.run(s, ctx, args[1:])
}

// usageError prints a command's usage line to stderr and fails.
func (s *Shell) usageError(usage string) (quit, failed bool) {
	fmt.Fprintf(s.opts.Stderr, "Usage: %s\n", usage)
	return false, true
}

// errorf prints "Error: …" to stderr and fails.
func (s *Shell) errorf(format string, a ...any) (quit, failed bool) {
	fmt.Fprintf(s.opts.Stderr, "Error: "+format+"\n", a...)
	return false, true
}

// booleanArg reads a dot-command's on|off argument as the CLI's
// booleanValue does, warning (and taking "no") when it is none.
func (s *Shell) booleanArg(arg string) bool {
	v, ok := booleanValue(arg)
	if !ok {
		fmt.Fprintf(s.opts.Stderr, "ERROR: Not a boolean value: \"%s\". Assuming \"no\".\n", arg)
	}
	return v
}

// boolSetting builds a command that sets an on|off flag.
func boolSetting(name, help string, set func(s *Shell, v bool)) dotCommand {
	usage := "." + name + " on|off"
	return dotCommand{name: name, usage: usage, help: help, run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
		if len(args) != 1 {
			return s.usageError(usage)
		}
		set(s, s.booleanArg(args[0]))
		return false, false
	}}
}

// printHelp lists the commands, or those whose name starts with topic.
func (s *Shell) printHelp(w io.Writer, topic string) {
	for _, c := range dotCommands() {
		if topic != "" && !strings.HasPrefix(c.name, topic) {
			continue
		}
		fmt.Fprintf(w, "%-28s %s\n", c.usage, c.help)
	}
}
