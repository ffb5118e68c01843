package cmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pocketkms/pkms/kms"
)

// TestOperationCommands checks the command registrations against the
// service's registry: every operation has exactly one command, registered
// once, named after it; no registration names an unknown operation. A
// missing registration would otherwise panic when pkms builds its commands.
func TestOperationCommands(t *testing.T) {
	if len(misregistered) > 0 {
		t.Errorf("commands registered twice: %v", misregistered)
	}
	g := newGlobals(&env{getenv: func(string) string { return "" }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	known := map[string]bool{}
	for _, op := range kms.Operations() {
		known[op.Name] = true
		newCmd, ok := constructors[op.Name]
		if !ok {
			t.Errorf("%s has no command: register its constructor with operationCommand", op.Name)
			continue
		}
		if c := newCmd(g); strings.Fields(c.Use)[0] != kebab(op.Name) {
			t.Errorf("the command registered for %s is %q, want %s", op.Name, c.Use, kebab(op.Name))
		}
	}
	for name := range constructors {
		if !known[name] {
			t.Errorf("a command is registered for %s, which is not an operation", name)
		}
	}
}
