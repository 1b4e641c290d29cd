package repl

import (
	"fmt"
	"os"
)

// setOutput sends results to the file at path (.output FILE), or only the
// next command's results (.once FILE).
func (s *Shell) setOutput(path string, once bool) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot open \"%s\"", path)
	}
	s.resetOutput()
	s.out, s.outFile, s.onceArmed, s.outPath = f, f, once, path
	return nil
}

// resetOutput sends results to standard output again. The file is closed
// once the replies that print into it have been drained.
func (s *Shell) resetOutput() {
	if s.outFile != nil {
		s.toClose = append(s.toClose, s.outFile)
	}
	s.out, s.outFile, s.onceArmed, s.outPath = s.opts.Stdout, nil, false, ""
}

// closeOutput resets the output and closes every file it used; all work
// must be drained.
func (s *Shell) closeOutput() {
	s.resetOutput()
	for _, f := range s.toClose {
		f.Close()
	}
	s.toClose = nil
}
