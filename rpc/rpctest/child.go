package rpctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/wal"
	"github.com/resqlite/resqlite/rpc/node"
)

// childEnv carries a child process's ChildSpec, as JSON.
const childEnv = "RESQLITE_RPCTEST_NODE"

// ChildSpec is what a child process runs: one durable node (raft/wal log,
// file-backed Machine) in Dir, serving the Raft service on Addr and a
// small HTTP control API for the test on ControlAddr.
type ChildSpec struct {
	ID          raft.NodeID   `json:"id"`
	Addr        string        `json:"addr"`
	ControlAddr string        `json:"control_addr"`
	Bootstrap   []raft.Member `json:"bootstrap"`
	Dir         string        `json:"dir"`
}

// RunChildIfRequested runs the node a parent test asked for, when this
// process is such a child, and exits; otherwise it returns at once. Call it
// first thing in TestMain of a package whose tests use ProcCluster.
func RunChildIfRequested() {
	raw := os.Getenv(childEnv)
	if raw == "" {
		return
	}
	var spec ChildSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintf(os.Stderr, "rpctest child: bad %s: %v\n", childEnv, err)
		os.Exit(2)
	}
	if err := runChild(spec); err != nil {
		fmt.Fprintf(os.Stderr, "rpctest child %d: %v\n", spec.ID, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runChild runs spec's node until SIGTERM or SIGINT, then stops it cleanly.
func runChild(spec ChildSpec) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	clusterID, err := node.ResolveClusterID(spec.Dir, spec.Bootstrap, 0)
	if err != nil {
		return err
	}
	store, err := wal.Open(filepath.Join(spec.Dir, "raft"), wal.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer store.Close()
	m, err := OpenMachine(filepath.Join(spec.Dir, "machine.jsonl"))
	if err != nil {
		return err
	}
	defer m.Close()
	lis, err := Listen(spec.Addr, 10*time.Second)
	if err != nil {
		return err
	}
	ctl, err := Listen(spec.ControlAddr, 10*time.Second)
	if err != nil {
		lis.Close()
		return err
	}
	s, err := StartServer(ServerConfig{
		ID: spec.ID, ClusterID: clusterID, Bootstrap: spec.Bootstrap, Listener: lis, Store: store,
		Machine: m, SnapshotDir: spec.Dir, Logger: logger,
	})
	if err != nil {
		lis.Close()
		ctl.Close()
		return err
	}
	defer s.Stop()
	hs := &http.Server{Handler: controlHandler(s)}
	go hs.Serve(ctl)
	defer hs.Close()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		return nil
	case <-s.Node.Done():
		return fmt.Errorf("node stopped: %w", s.Node.Err())
	}
}

// ChildStatus is a child node's answer to GET /status.
type ChildStatus struct {
	ID       raft.NodeID `json:"id"`
	Leader   raft.NodeID `json:"leader"`
	IsLeader bool        `json:"is_leader"`
	Term     uint64      `json:"term"`
	Applied  uint64      `json:"applied"`
}

// proposeReply is a child node's answer to POST /propose.
type proposeReply struct {
	Index     uint64      `json:"index"`
	Error     string      `json:"error,omitempty"`
	NotLeader bool        `json:"not_leader,omitempty"`
	Leader    raft.NodeID `json:"leader,omitempty"`
}

// controlHandler is the child's control API: GET /status, GET /entries,
// POST /propose (body = entry data; answers once applied).
func controlHandler(s *Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, ChildStatus{ID: s.ID, Leader: s.Node.Leader(), IsLeader: s.Node.IsLeader(), Term: s.Node.Term(), Applied: s.Node.AppliedIndex()})
	})
	mux.HandleFunc("GET /entries", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.Machine.Entries())
	})
	mux.HandleFunc("POST /propose", func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			writeJSON(w, proposeReply{Error: err.Error()})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		f, err := s.Node.Propose(ctx, data)
		var nle *raft.NotLeaderError
		if errors.As(err, &nle) {
			writeJSON(w, proposeReply{Error: err.Error(), NotLeader: true, Leader: nle.Leader})
			return
		}
		if err != nil {
			writeJSON(w, proposeReply{Error: err.Error()})
			return
		}
		res, err := f.Wait(ctx)
		if err != nil {
			writeJSON(w, proposeReply{Error: err.Error()})
			return
		}
		writeJSON(w, proposeReply{Index: res.Index})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
