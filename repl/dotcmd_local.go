package repl

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// localCommands are the dot-commands that only change or show the
// session's own state.
func localCommands() []dotCommand {
	return []dotCommand{
		boolSetting("bail", "Stop after hitting an error", func(s *Shell, v bool) { s.bail = v }),
		boolSetting("changes", "Show number of rows changed by SQL", func(s *Shell, v bool) { s.showChanges = v }),
		boolSetting("echo", "Turn command echo on or off", func(s *Shell, v bool) { s.echo = v }),
		boolSetting("headers", "Turn display of headers on or off", func(s *Shell, v bool) { s.settings.headers, s.settings.headerSet = v, true }),
		boolSetting("timer", "Turn SQL timer on or off", func(s *Shell, v bool) { s.timer = v }),
		{name: "exit", usage: ".exit ?CODE?", help: "Exit this program with return-code CODE", run: quitCommand},
		{name: "quit", usage: ".quit ?CODE?", help: "Exit this program with return-code CODE", run: quitCommand},
		{name: "help", usage: ".help ?PATTERN?", help: "Show help text for PATTERN", run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
			topic := ""
			if len(args) > 0 {
				topic = strings.TrimPrefix(args[0], ".")
			}
			s.printHelp(s.out, topic)
			return false, false
		}},
		{name: "mode", usage: ".mode MODE ?OPTIONS?", help: "Set output mode: " + modeNames() + "; table modes take --wrap N --wordwrap on|off --quote --noquote", run: modeCommand},
		{name: "width", usage: ".width NUM1 NUM2 ...", help: "Set minimum column widths for the table modes (negative: right-aligned)", run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
			s.settings.columns.widths = nil
			for _, a := range args {
				s.settings.columns.widths = append(s.settings.columns.widths, int(integerValue(a)))
			}
			return false, false
		}},
		{name: "nullvalue", usage: ".nullvalue STRING", help: "Use STRING in place of NULL values", run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
			if len(args) != 1 {
				return s.usageError(".nullvalue STRING")
			}
			s.settings.nullValue = args[0]
			return false, false
		}},
		{name: "separator", usage: ".separator COL ?ROW?", help: "Change the column and row separators", run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
			if len(args) < 1 || len(args) > 2 {
				return s.usageError(".separator COL ?ROW?")
			}
			s.settings.colSep = resolveBackslashes(args[0])
			if len(args) == 2 {
				s.settings.rowSep = resolveBackslashes(args[1])
			}
			return false, false
		}},
		{name: "print", usage: ".print STRING...", help: "Print literal STRING", run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
			fmt.Fprintf(s.out, "%s\n", strings.Join(args, " "))
			return false, false
		}},
		{name: "output", usage: ".output ?FILE?", help: "Send output to FILE, or to stdout without FILE", run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
			return outputCommand(s, args, false)
		}},
		{name: "once", usage: ".once FILE", help: "Send the next command's output to FILE", run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
			if len(args) != 1 {
				return s.usageError(".once FILE")
			}
			return outputCommand(s, args, true)
		}},
		{name: "read", usage: ".read FILE", help: "Read input from FILE", run: readCommand},
		{name: "consistency", usage: ".consistency ?LEVEL?", help: "Show or set read consistency: linearizable, lease, local", run: func(s *Shell, _ context.Context, args []string) (bool, bool) {
			switch len(args) {
			case 0:
				fmt.Fprintf(s.out, "%s\n", s.consistency)
				return false, false
			case 1:
				level, ok := ParseConsistency(args[0])
				if !ok {
					return s.errorf("consistency should be one of: linearizable lease local")
				}
				s.consistency = level
				return false, false
			}
			return s.usageError(".consistency ?linearizable|lease|local?")
		}},
	}
}

func modeNames() string {
	names := make([]string, len(allModes))
	for i, m := range allModes {
		names[i] = string(m)
	}
	return strings.Join(names, " ")
}

// quitCommand is .exit and .quit: end this input; with a CODE other than
// 0, end the program with that status at once (the CLI's exit(CODE)).
func quitCommand(s *Shell, _ context.Context, args []string) (bool, bool) {
	if len(args) > 0 {
		s.exitCode = int(integerValue(args[0]))
	}
	return true, false
}

// modeCommand is the CLI's .mode MODE ?OPTIONS?: the table modes take
// --wrap N, --wordwrap on|off, --ww, --quote and --noquote ("qbox" is box
// with --quote); options not given take their defaults. Without MODE it
// reports the mode and, as the CLI does, sets it again with default
// options.
func modeCommand(s *Shell, _ context.Context, args []string) (bool, bool) {
	name, table, opts, err := parseModeArgs(args)
	if err != nil {
		fmt.Fprint(s.opts.Stderr, err.Error())
		return false, true
	}
	if name == "" {
		fmt.Fprintf(s.out, "current output mode: %s\n", s.settings.modeName())
		s.settings.setMode(s.settings.mode, opts)
		return false, false
	}
	m, err := ParseMode(name)
	if err != nil {
		return s.errorf("%v", err)
	}
	s.settings.setMode(m, opts)
	if m == ModeInsert && table != "" {
		s.settings.insertTable = quoteIdentifier(table)
	}
	return false, false
}

// parseModeArgs reads .mode's arguments as the CLI does: options anywhere,
// the first other word is the mode, a second is insert mode's table name,
// a third is an error, whose text (lines ending in "\n") the error holds.
func parseModeArgs(args []string) (name, table string, opts columnOptions, err error) {
	opts = columnOptions{wrap: defaultWrap}
	words := 0
	for i := 0; i < len(args); i++ {
		switch z := args[i]; {
		case optionMatch(z, "wrap") && i+1 < len(args):
			i++
			opts.wrap = int(integerValue(args[i]))
		case optionMatch(z, "ww"):
			opts.wordWrap = true
		case optionMatch(z, "wordwrap") && i+1 < len(args):
			i++
			opts.wordWrap, _ = booleanValue(args[i])
		case optionMatch(z, "quote"):
			opts.quote = true
		case optionMatch(z, "noquote"):
			opts.quote = false
		case words == 0:
			words++
			name = z
			if z == "qbox" {
				name, opts = "box", columnOptions{wrap: defaultWrap, quote: true}
			}
		case words == 1:
			words++
			table = z
		case strings.HasPrefix(z, "-"):
			return "", "", opts, fmt.Errorf("unknown option: %s\noptions:\n  --noquote\n  --quote\n  --wordwrap on/off\n  --wrap N\n  --ww\n", z)
		default:
			return "", "", opts, fmt.Errorf("extra argument: \"%s\"\n", z)
		}
	}
	return name, table, opts, nil
}

// optionMatch is the CLI's optionMatch: z is -NAME or --NAME.
func optionMatch(z, name string) bool {
	if !strings.HasPrefix(z, "-") {
		return false
	}
	return strings.TrimPrefix(z[1:], "-") == name
}

func outputCommand(s *Shell, args []string, once bool) (bool, bool) {
	if len(args) > 1 {
		return s.usageError(".output ?FILE?")
	}
	if len(args) == 0 || args[0] == "stdout" {
		s.resetOutput()
		return false, false
	}
	if strings.HasPrefix(args[0], "|") {
		return s.errorf("output to a pipe is not supported")
	}
	if err := s.setOutput(args[0], once); err != nil {
		return s.errorf("%v", err)
	}
	return false, false
}

// readCommand runs a file as input, with its own line numbers; a failure
// inside it counts as one failure of the .read.
func readCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) != 1 {
		return s.usageError(".read FILE")
	}
	if s.depth >= maxReadDepth {
		return s.errorf("input nesting limit (%d) reached", maxReadDepth)
	}
	f, err := os.Open(args[0])
	if err != nil {
		return s.errorf("cannot open \"%s\"", args[0])
	}
	defer f.Close()
	s.depth++
	run, err := s.processInput(ctx, newLineReader(f))
	s.drain()
	s.depth--
	if err != nil {
		return s.errorf("%v", err)
	}
	return s.exitCode != 0, run.errors > 0
}
