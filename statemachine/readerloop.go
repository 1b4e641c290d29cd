package statemachine

// A reader runs its streamed reads on a goroutine of its own that lives
// as long as the connection. SQLite's transpiled C needs a deep Go stack:
// a read run on a fresh goroutine grows that goroutine's stack step by
// step, copying it each time, and for a point read that growth was ~18%
// of the node's CPU. The reader's goroutine keeps the stack it grew.

// startLoop starts the reader's goroutine; close stops it.
func (r *reader) startLoop() {
	jobs, done := make(chan func()), make(chan struct{})
	r.jobs, r.jobDone = jobs, done
	go func() {
		for job := range jobs {
			job()
			done <- struct{}{}
		}
	}()
}

// do runs fn on the reader's goroutine and returns when it returned. The
// reader is used by one goroutine at a time, which do blocks meanwhile.
func (r *reader) do(fn func()) {
	r.jobs <- fn
	<-r.jobDone
}

// stopLoop ends the reader's goroutine; the reader is not used after.
func (r *reader) stopLoop() {
	if r.jobs != nil {
		close(r.jobs)
		r.jobs = nil
	}
}
