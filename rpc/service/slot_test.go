package service

import (
	"errors"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// A session's write settles once it and every earlier write resolved,
// whatever order they resolve in, with the highest index among them; a
// failed write counts as resolved, at index 0.
func TestWriteSlotsSettleInOrder(t *testing.T) {
	var slots []*slot
	var prev *slot
	for i := range 3 {
		sl := newSlot(uint64(i + 1))
		sl.chain(prev)
		slots, prev = append(slots, sl), sl
	}
	settled := func(sl *slot) bool {
		select {
		case <-sl.settled:
			return true
		case <-time.After(20 * time.Millisecond):
			return false
		}
	}
	slots[2].write(&resqlitepb.ExecuteResponse{Index: 30}, nil)
	if settled(slots[2]) {
		t.Fatal("write 3 settled before writes 1 and 2 resolved")
	}
	slots[0].write(&resqlitepb.ExecuteResponse{Index: 10}, nil)
	if !settled(slots[0]) || slots[0].maxIndex != 10 {
		t.Fatalf("write 1: settled %v at %d, want at 10", settled(slots[0]), slots[0].maxIndex)
	}
	if settled(slots[2]) {
		t.Fatal("write 3 settled before write 2 resolved")
	}
	slots[1].fail(errors.New("cut off"))
	for i, want := range []uint64{10, 10, 30} {
		select {
		case <-slots[i].settled:
		case <-time.After(10 * time.Second):
			t.Fatalf("write %d never settled", i+1)
		}
		if slots[i].maxIndex != want {
			t.Fatalf("write %d settled at %d, want %d", i+1, slots[i].maxIndex, want)
		}
	}
}
