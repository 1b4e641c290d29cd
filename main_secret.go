package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// readSecret prints prompt on w and reads one line from the terminal in
// without echoing it. Echo is off before the prompt appears, so a
// person (or a script) typing as soon as the prompt shows never sees the
// secret on the screen; the terminal's state is restored after.
func readSecret(in *os.File, prompt string, w io.Writer) ([]byte, error) {
	fd := int(in.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, fmt.Errorf("read the terminal's settings: %w", err)
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &quiet); err != nil {
		return nil, fmt.Errorf("turn the terminal's echo off: %w", err)
	}
	defer unix.IoctlSetTermios(fd, ioctlSetTermios, old)
	fmt.Fprint(w, prompt)
	defer fmt.Fprintln(w)
	return readLineUnbuffered(in)
}

// readLineUnbuffered reads up to and without the next newline one byte
// at a time, so that nothing after the line is taken from in (the REPL
// reads what follows).
func readLineUnbuffered(in io.Reader) ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := in.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				return line, nil
			}
			line = append(line, b[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return nil, io.EOF
			}
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
