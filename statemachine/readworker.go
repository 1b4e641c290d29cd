package statemachine

// readWorker runs the queries of one read connection on one long-lived
// goroutine. SQLite (compiled to Go) needs a deep stack to prepare and
// step a statement: a read run on the goroutine that serves its request,
// new for each request, grew that goroutine's stack from its first few
// kilobytes by copying, for every read (a third of a point read's CPU).
// The worker's stack stays grown between reads.
type readWorker struct {
	jobs     chan func()
	finished chan struct{}
}

// start starts the worker goroutine; stop ends it.
func (w *readWorker) start() {
	jobs, finished := make(chan func()), make(chan struct{}, 1)
	w.jobs, w.finished = jobs, finished
	go func() {
		for job := range jobs {
			job()
			finished <- struct{}{}
		}
	}()
}

// run runs job on the worker and returns when it has returned. One job
// runs at a time: a reader has one user at a time (the pool).
func (w *readWorker) run(job func()) {
	w.jobs <- job
	<-w.finished
}

// stop ends the worker goroutine once the job running (if any) returned.
func (w *readWorker) stop() {
	if w.jobs != nil {
		close(w.jobs)
		w.jobs = nil
	}
}
