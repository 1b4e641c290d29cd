// Package ptytest runs a program on a pseudo-terminal for tests: it keeps
// what the program prints, waits for expected text, types input and
// collects the exit status. The REPL's tests and the program's own use it.
package ptytest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// Timeout bounds every wait of a Session.
const Timeout = 30 * time.Second

// Session is a program running on a pseudo-terminal.
type Session struct {
	t    testing.TB
	tty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	seen int // output consumed by Expect so far
}

// Start runs cmd on a pseudo-terminal of 40 rows and cols columns; the
// program is killed when the test ends.
func Start(t testing.TB, cmd *exec.Cmd, cols uint16) *Session {
	t.Helper()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: cols})
	if err != nil {
		t.Fatalf("start on a pty: %v", err)
	}
	s := &Session{t: t, tty: tty, cmd: cmd}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		tty.Close()
	})
	return s
}

// Output returns everything the program printed so far.
func (s *Session) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// Rest returns the output that Expect has not consumed yet.
func (s *Session) Rest() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()[s.seen:]
}

// consume reports whether want appears in the output not consumed yet,
// and consumes the output up to its end.
func (s *Session) consume(want string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := strings.Index(s.out.String()[s.seen:], want)
	if i < 0 {
		return false
	}
	s.seen += i + len(want)
	return true
}

// Expect waits until want appears after what earlier calls consumed.
func (s *Session) Expect(want string) {
	s.t.Helper()
	for deadline := time.Now().Add(Timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s.consume(want) {
			return
		}
	}
	s.t.Fatalf("timed out waiting for %q; output after the last match:\n%q", want, s.Rest())
}

// Send types text.
func (s *Session) Send(text string) {
	s.t.Helper()
	if _, err := s.tty.WriteString(text); err != nil {
		s.t.Fatalf("write to the pty: %v", err)
	}
}

// SendUntil types text every interval until want appears (a key that
// only acts once the program is in some state, such as Ctrl-C on a
// running query).
func (s *Session) SendUntil(text, want string, every time.Duration) {
	s.t.Helper()
	for deadline := time.Now().Add(Timeout); time.Now().Before(deadline); {
		time.Sleep(every)
		if s.consume(want) {
			return
		}
		s.Send(text)
	}
	s.t.Fatalf("no %q after typing %q repeatedly; output after the last match:\n%q", want, text, s.Rest())
}

// Wait waits for the program to end and returns its exit code.
func (s *Session) Wait() int {
	s.t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(Timeout):
		s.t.Fatalf("the program did not exit; output after the last match:\n%q", s.Rest())
		return -1
	}
}
