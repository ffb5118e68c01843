package cmd

import (
	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/kms"
)

// operationCommands returns one command per AWS KMS operation, or only
// the one named by only when that is an operation (one reports which).
func operationCommands(g *globals, only string) (cmds []*cobra.Command, one bool) {
	for _, op := range kms.Operations() {
		if kebab(op.Name) == only {
			return []*cobra.Command{constructors[op.Name](g)}, true
		}
	}
	for _, op := range kms.Operations() {
		cmds = append(cmds, constructors[op.Name](g))
	}
	return cmds, false
}

// constructors maps each operation to the function that builds its
// command. Each verb file registers its own with operationCommand, beside
// the constructor; TestOperationCommands checks that every operation has
// exactly one and that every one names an operation.
var constructors = map[string]func(*globals) *cobra.Command{}

// misregistered lists the names operationCommand was given twice.
var misregistered []string

// operationCommand registers the constructor of an operation's command.
func operationCommand(name string, newCmd func(*globals) *cobra.Command) {
	if _, dup := constructors[name]; dup {
		misregistered = append(misregistered, name)
	}
	constructors[name] = newCmd
}
