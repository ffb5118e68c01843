package cmd

import (
	"fmt"
	"os"
	"os/signal"
	"time"

	"golang.org/x/term"
)

// A passphrase prompt must treat Ctrl-C as Ctrl-C. Pressed together with
// Enter, Ctrl-C makes the terminal discard the line typed so far and Enter
// then hands over what is left (usually nothing): trying that as the
// passphrase would answer "incorrect passphrase" to a person who asked to
// stop. So an interrupt while the prompt waits, or within interruptGrace
// after Enter, ends the command with exit 130, as Ctrl-C does elsewhere.

// interruptGrace is how long after Enter a Ctrl-C still counts as pressed
// at the prompt; it is short beside the key derivation that follows.
const interruptGrace = 100 * time.Millisecond

// errInterrupted ends a command interrupted at a prompt: exit 130.
var errInterrupted error = exitStatus(exitInterrupt)

// readHidden shows text on the terminal tty and reads a line without echo,
// stopping with errInterrupted on Ctrl-C (see above). It closes tty.
func readHidden(tty *os.File, text string) ([]byte, error) {
	// Registered before the prompt shows, so no Ctrl-C at it is missed.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	fd := int(tty.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		tty.Close()
		return nil, fmt.Errorf("reading from the terminal: %w", err)
	}
	fmt.Fprint(tty, text)
	type line struct {
		b   []byte
		err error
	}
	done := make(chan line, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- line{b, err}
	}()
	var l line
	select {
	case <-sig:
		// The read cannot be cancelled: it ends with the next line typed
		// (or the process), then drops what it read and closes tty.
		// The newline that ends the prompt's line is main's, as for
		// any Ctrl-C.
		_ = term.Restore(fd, state)
		go func() {
			l := <-done
			clear(l.b)
			tty.Close()
		}()
		return nil, errInterrupted
	case l = <-done:
	}
	defer tty.Close()
	fmt.Fprintln(tty) // Enter was not echoed
	select {
	case <-sig:
		clear(l.b)
		return nil, errInterrupted
	case <-time.After(interruptGrace):
	}
	if l.err != nil {
		return nil, fmt.Errorf("reading from the terminal: %w", l.err)
	}
	return l.b, nil
}
