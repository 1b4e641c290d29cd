package client

import (
	"errors"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/rpc/wire"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The service's verdict that a write may have committed reaches the
// caller as ErrOutcomeUnknown in the service's own words, which already
// begin "write outcome unknown": the client does not say it twice.
func TestOutcomeUnknownVerdictSaidOnce(t *testing.T) {
	verdict := metadata.Pairs(wire.VerdictTrailer, "1")
	for _, msg := range []string{
		"write outcome unknown (entry 7): leadership lost; it may have committed, do not retry it blindly",
		"the leader stepped down before the entry committed",
	} {
		err := writeError(status.Error(codes.Aborted, msg), isVerdict(verdict))
		if !errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("%q: %v does not wrap ErrOutcomeUnknown", msg, err)
		}
		if n := strings.Count(err.Error(), ErrOutcomeUnknown.Error()); n != 1 {
			t.Fatalf("%q: %q says %q %d times", msg, err, ErrOutcomeUnknown, n)
		}
		if !strings.Contains(err.Error(), msg) {
			t.Fatalf("%q: %q lost the service's message", msg, err)
		}
	}
}
