package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// terminal is the controlling terminal: where pkms asks for secrets,
// answers and confirmations, never stdin or stdout, which carry a command's
// data. It is its own concern, embedded in globals.
type terminal struct {
	env *env
}

// openTTY opens the controlling terminal, or fails with errNoTerminal.
func (tm terminal) openTTY() (*os.File, error) {
	open := tm.env.tty
	if open == nil {
		open = func() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }
	}
	tty, err := open()
	if err != nil {
		return nil, errNoTerminal
	}
	if !term.IsTerminal(int(tty.Fd())) {
		tty.Close()
		return nil, errNoTerminal
	}
	return tty, nil
}

// prompt reads a secret from the controlling terminal without echo.
func (tm terminal) prompt(text string) ([]byte, error) {
	tty, err := tm.openTTY()
	if err != nil {
		return nil, err
	}
	return readHidden(tty, text)
}

// ask reads one line of public input from the controlling terminal.
func (tm terminal) ask(text string) (string, error) {
	tty, err := tm.openTTY()
	if err != nil {
		return "", err
	}
	defer tty.Close()
	fmt.Fprint(tty, text)
	line, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading from the terminal: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// confirm asks a yes/no question on the terminal, unless yes (--yes) was
// given. Without a terminal it refuses: a destructive step in a script must
// say --yes.
func (tm terminal) confirm(question string, yes bool) error {
	if yes {
		return nil
	}
	a, err := tm.ask(question + " [y/N] ")
	if errors.Is(err, errNoTerminal) {
		return usagef("no terminal to confirm %q; pass --yes", question)
	}
	if err != nil {
		return err
	}
	if a = strings.ToLower(a); a != "y" && a != "yes" {
		fmt.Fprintln(tm.env.stderr, "pkms: not confirmed; nothing was changed")
		return exitStatus(exitDeclined)
	}
	return nil
}
