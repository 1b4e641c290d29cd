package repl

import "os"

// privateHistory keeps the history file at path ("" for none) private, as
// sqlite3's is: a missing file is created 0600 before the line editor
// opens it, and the returned func, called once the editor has opened it,
// restores the mode the file had if the editor replaced the file while
// trimming it to its limit (through a new file of mode 0666 less the
// umask).
func privateHistory(path string) (restore func()) {
	if path == "" {
		return func() {}
	}
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	}
	before, err := os.Stat(path)
	if err != nil {
		return func() {}
	}
	return func() {
		if now, err := os.Stat(path); err == nil && now.Mode().Perm() != before.Mode().Perm() {
			os.Chmod(path, before.Mode().Perm())
		}
	}
}
