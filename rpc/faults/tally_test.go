package faults

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// outcome is how an operation ended.
type outcome int

const (
	outOK outcome = iota
	// outUnknown: a write that may or may not have committed
	// (client.ErrOutcomeUnknown).
	outUnknown
	// outFailed: any other error; a write that failed so was not applied.
	outFailed
)

func classify(err error) outcome {
	switch {
	case err == nil:
		return outOK
	case errors.Is(err, client.ErrOutcomeUnknown):
		return outUnknown
	default:
		return outFailed
	}
}

// span is when an operation was invoked and when it returned, since the
// run began.
type span struct{ start, end time.Duration }

// tally counts one workload's operations by outcome and keeps the spans
// of its successful writes (for the gap figures) and a few error texts.
type tally struct {
	mu                  sync.Mutex
	ok, unknown, failed int
	writes              []span
	errs                map[string]int
}

// maxErrTexts bounds the distinct error texts a tally keeps.
const maxErrTexts = 12

// entryNumber matches the log index in error texts, which would make
// every text of a kind distinct.
var entryNumber = regexp.MustCompile(`entry \d+`)

// record counts one operation and returns its outcome.
func (t *tally) record(write bool, s span, err error) outcome {
	o := classify(err)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch o {
	case outOK:
		t.ok++
		if write {
			t.writes = append(t.writes, s)
		}
	case outUnknown:
		t.unknown++
	default:
		t.failed++
	}
	if err != nil {
		if t.errs == nil {
			t.errs = map[string]int{}
		}
		msg := entryNumber.ReplaceAllString(err.Error(), "entry N")
		if len(msg) > 160 {
			msg = msg[:160]
		}
		if _, seen := t.errs[msg]; seen || len(t.errs) < maxErrTexts {
			t.errs[msg]++
		}
	}
	return o
}

// writeGap returns the longest time within [from, to] with no successful
// write returning.
func (t *tally) writeGap(from, to time.Duration) time.Duration {
	t.mu.Lock()
	ends := make([]time.Duration, 0, len(t.writes))
	for _, w := range t.writes {
		ends = append(ends, w.end)
	}
	t.mu.Unlock()
	slices.Sort(ends)
	gap, last := time.Duration(0), from
	for _, e := range ends {
		if e < from || e > to {
			continue
		}
		gap, last = max(gap, e-last), e
	}
	return max(gap, to-last)
}

// killToWrite returns, for the worst of the given leader kills, the time
// from the kill to the first successful write invoked after it (which
// its successor committed); ok is false when there were no kills, and
// missing counts kills no write followed.
func (t *tally) killToWrite(kills []time.Duration) (worst time.Duration, ok bool, missing int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range kills {
		first := time.Duration(-1)
		for _, w := range t.writes {
			if w.start >= k && (first < 0 || w.end-k < first) {
				first = w.end - k
			}
		}
		if first < 0 {
			missing++
			continue
		}
		worst, ok = max(worst, first), true
	}
	return worst, ok, missing
}

// errorTexts lists the error texts seen, with their counts.
func (t *tally) errorTexts() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for msg, n := range t.errs {
		out = append(out, fmt.Sprintf("%6d × %s", n, msg))
	}
	slices.Sort(out)
	return out
}
