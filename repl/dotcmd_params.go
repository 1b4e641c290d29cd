package repl

import (
	"context"
	"fmt"
	"strings"
)

// parameterHelp is what the CLI prints for .parameter without a valid
// subcommand (to the output, not as an error).
const parameterHelp = `.parameter CMD ...       Manage SQL parameter bindings
   clear                   Erase all bindings
   init                    Initialize the TEMP table that holds bindings
   list                    List the current parameter bindings
   set PARAMETER VALUE     Given SQL parameter PARAMETER a value of VALUE
                           PARAMETER should start with one of: $ : @ ?
   unset PARAMETER         Remove PARAMETER from the binding table
`

// parameterCommand is the CLI's .parameter clear|init|list|set|unset. The
// bindings live in the shell, not in a TEMP table (ReSqlite refuses TEMP
// objects); they are sent with each statement that names them.
func parameterCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	switch {
	case len(args) == 1 && args[0] == "clear":
		s.params = nil
	case len(args) == 1 && args[0] == "init":
	case len(args) == 1 && args[0] == "list":
		s.listParams()
	case len(args) == 3 && args[0] == "set":
		return s.setParam(ctx, args[1], args[2])
	case len(args) == 2 && args[0] == "unset":
		delete(s.params, args[1])
	default:
		fmt.Fprint(s.out, parameterHelp)
	}
	return false, false
}

// setParam evaluates value as an SQL expression on the node, as the CLI's
// "REPLACE INTO … VALUES(key, VALUE)" does, and binds name to the result;
// a value that is not an expression (it fails to prepare) is bound as
// text.
func (s *Shell) setParam(ctx context.Context, name, value string) (bool, bool) {
	r, err := s.client.Query(ctx, "SELECT v, quote(v) FROM (SELECT ("+value+") AS v)", s.consistency)
	if err != nil {
		return s.errorf("%v", err)
	}
	var p boundParam
	switch {
	case r.Err != nil && r.Err.Phase == PhaseParse:
		p = boundParam{value: Text(value), quoted: "'" + strings.ReplaceAll(value, "'", "''") + "'"}
	case r.Err != nil:
		return false, false // as the CLI's failed REPLACE: nothing is bound
	case len(r.Rows) != 1 || len(r.Rows[0]) != 2:
		return s.errorf("parameter %s: unexpected result of its value", name)
	default:
		quoted, _ := cellText(r.Rows[0][1])
		p = boundParam{value: r.Rows[0][0], quoted: quoted}
	}
	if s.params == nil {
		s.params = paramTable{}
	}
	s.params[name] = p
	return false, false
}

// listParams prints the bindings as the CLI's .parameter list: the name
// left-aligned (padded by bytes) to the list's width, then quote(value).
func (s *Shell) listParams() {
	width := s.params.listWidth()
	if width == 0 {
		return
	}
	w := s.writer(s.out)
	defer w.Flush()
	for _, k := range s.params.keys() {
		fmt.Fprintf(w, "%-*s %s\n", width, k, s.params[k].quoted)
	}
}
