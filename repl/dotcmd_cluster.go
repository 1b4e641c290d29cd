package repl

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// clusterCommands are the dot-commands answered by the cluster through
// the Client: its state, its members, and the schema of its database.
func clusterCommands() []dotCommand {
	return []dotCommand{
		{name: "status", usage: ".status", help: "Show this node's role, term, leader and indexes", run: statusCommand},
		{name: "leader", usage: ".leader", help: "Show the current leader", run: leaderCommand},
		{name: "nodes", usage: ".nodes", help: "List the members: role, address, reachability, lag", run: nodesCommand},
		{name: "snapshot", usage: ".snapshot", help: "Make the node take a snapshot now", run: snapshotCommand},
		{name: "stepdown", usage: ".stepdown ?ID?", help: "Transfer leadership (to node ID)", run: stepdownCommand},
		{name: "remove", usage: ".remove ID", help: "Remove node ID from the cluster", run: removeCommand},
		{name: "tables", usage: ".tables ?PATTERN?", help: "List names of tables matching LIKE PATTERN", run: tablesCommand},
		{name: "indexes", usage: ".indexes ?TABLE?", help: "Show names of indexes (on TABLE)", run: indexesCommand},
		{name: "dump", usage: ".dump ?OPTIONS? ?PATTERN ...?", help: "Render the database (or the objects matching LIKE PATTERNs) as SQL text; OPTIONS: --data-only --newlines --nosys --preserve-rowids", run: dumpCommand},
		{name: "schema", usage: ".schema ?PATTERN?", help: "Show the CREATE statements matching PATTERN", run: schemaCommand},
	}
}

func statusCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) != 0 {
		return s.usageError(".status")
	}
	st, err := s.client.Status(ctx)
	if err != nil {
		return s.errorf("status: %v", err)
	}
	w := s.writer(s.out)
	defer w.Flush()
	fmt.Fprintf(w, "node:          %d (%s)\n", st.NodeID, st.Address)
	fmt.Fprintf(w, "role:          %s\n", st.Role)
	fmt.Fprintf(w, "term:          %d\n", st.Term)
	if st.LeaderID == 0 {
		fmt.Fprintf(w, "leader:        none\n")
	} else {
		fmt.Fprintf(w, "leader:        %d (%s)\n", st.LeaderID, st.LeaderAddress)
	}
	fmt.Fprintf(w, "commit index:  %d\n", st.CommitIndex)
	fmt.Fprintf(w, "applied index: %d\n", st.AppliedIndex)
	fmt.Fprintf(w, "members:       %d\n", len(st.Members))
	fmt.Fprintf(w, "consistency:   %s\n", s.consistency)
	return false, false
}

func leaderCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) != 0 {
		return s.usageError(".leader")
	}
	st, err := s.client.Status(ctx)
	if err != nil {
		return s.errorf("leader: %v", err)
	}
	if st.LeaderID == 0 {
		return s.errorf("no leader is known to node %d", st.NodeID)
	}
	fmt.Fprintf(s.out, "%d %s\n", st.LeaderID, st.LeaderAddress)
	return false, false
}

// nodesCommand prints the members as a result in the current mode, so it
// reads like a query.
func nodesCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) != 0 {
		return s.usageError(".nodes")
	}
	st, err := s.client.Status(ctx)
	if err != nil {
		return s.errorf("nodes: %v", err)
	}
	members, err := s.client.Members(ctx)
	if err != nil {
		return s.errorf("nodes: %v", err)
	}
	r := Result{Columns: []string{"id", "address", "role", "voter", "reachable", "match_index", "behind", "last_contact"}}
	yesNo := func(b bool) Value {
		if b {
			return Text("yes")
		}
		return Text("no")
	}
	for _, m := range members {
		behind := int64(0)
		if st.CommitIndex > m.MatchIndex {
			behind = int64(st.CommitIndex - m.MatchIndex)
		}
		r.Rows = append(r.Rows, []Value{
			Integer(int64(m.ID)), Text(m.Address), Text(m.Role), yesNo(m.Voter), yesNo(m.Reachable),
			Integer(int64(m.MatchIndex)), Integer(behind), Text(lastContactText(m.LastContact)),
		})
	}
	w := s.writer(s.out)
	defer w.Flush()
	s.printResult(w, Statement{}, &r)
	return false, false
}

func snapshotCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) != 0 {
		return s.usageError(".snapshot")
	}
	index, err := s.client.TakeSnapshot(ctx)
	if err != nil {
		return s.errorf("snapshot: %v", err)
	}
	fmt.Fprintf(s.out, "snapshot taken at index %d\n", index)
	return false, false
}

func stepdownCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	var to uint64
	switch len(args) {
	case 0:
	case 1:
		id, err := strconv.ParseUint(args[0], 10, 64)
		if err != nil || id == 0 {
			return s.errorf("not a node id: \"%s\"", args[0])
		}
		to = id
	default:
		return s.usageError(".stepdown ?ID?")
	}
	leader, err := s.client.TransferLeadership(ctx, to)
	if err != nil {
		return s.errorf("stepdown: %v", err)
	}
	fmt.Fprintf(s.out, "leader is now node %d\n", leader)
	return false, false
}

func removeCommand(s *Shell, ctx context.Context, args []string) (bool, bool) {
	if len(args) != 1 {
		return s.usageError(".remove ID")
	}
	id, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil || id == 0 {
		return s.errorf("not a node id: \"%s\"", args[0])
	}
	if err := s.client.RemoveMember(ctx, id); err != nil {
		return s.errorf("remove: %v", err)
	}
	fmt.Fprintf(s.out, "node %d removed\n", id)
	return false, false
}

// lastContactText shows how long ago a member was heard from, to the
// millisecond, or "never" when it was not heard from.
func lastContactText(d time.Duration) string {
	if d < 0 {
		return "never"
	}
	return d.Round(time.Millisecond).String()
}
