package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chzyer/readline"
	"github.com/resqlite/resqlite/rpc/auth"
)

// passwdCommand is `resqlite passwd`: it prints the bcrypt hash of a
// password for the auth file (-auth).
func passwdCommand() subcommand {
	c := subcommand{name: "passwd", summary: "print the bcrypt hash of a password for the auth file (-auth); with -user, a whole entry of it"}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flag.NewFlagSet("passwd", flag.ContinueOnError)
		user := fs.String("user", "", "print a whole auth file entry for the user `name`")
		perms := fs.String("perms", "", "with -user: the user's permissions, comma-separated: read, write, schema, admin, status")
		if code, done := parseSubcommandFlags(c, fs, args, stdout, stderr); done {
			return code
		}
		line, err := passwdLine(*user, *perms, os.Stdin, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "resqlite passwd: %v\n", err)
			return 2
		}
		fmt.Fprintln(stdout, line)
		return 0
	}
	return c
}

// passwdLine reads the password and returns the hash, or the user's
// auth file entry.
func passwdLine(user, perms string, stdin *os.File, stderr io.Writer) (string, error) {
	p, err := auth.ParsePerms(perms)
	if err != nil {
		return "", err
	}
	if user == "" && perms != "" {
		return "", errors.New("-perms goes with -user")
	}
	pw, err := newPassword(stdin, stderr)
	if err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return "", err
	}
	if user == "" {
		return hash, nil
	}
	names := []string{}
	if p != 0 {
		names = strings.Split(p.String(), ",")
	}
	b, err := json.Marshal(struct {
		Username string   `json:"username"`
		Password string   `json:"password"`
		Perms    []string `json:"perms"`
	}{user, hash, names})
	return string(b), err
}

// newPassword reads a new password: $RESQLITE_PASSWORD, or twice from a
// terminal without echo, or one line of stdin.
func newPassword(stdin *os.File, stderr io.Writer) (string, error) {
	if pw, ok := os.LookupEnv(PasswordEnv); ok {
		return nonEmpty(pw)
	}
	fd := int(stdin.Fd())
	if !readline.IsTerminal(fd) {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		return nonEmpty(strings.TrimRight(line, "\r\n"))
	}
	var pws [2]string
	for i, prompt := range []string{"New password: ", "Again: "} {
		b, err := readSecret(stdin, prompt, stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		pws[i] = string(b)
	}
	if pws[0] != pws[1] {
		return "", errors.New("the passwords differ")
	}
	return nonEmpty(pws[0])
}

func nonEmpty(pw string) (string, error) {
	if pw == "" {
		return "", errors.New("empty password")
	}
	return pw, nil
}
