// Command pkms is AWS KMS in your pocket: the aws kms command line, offline,
// on one encrypted local vault file. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/pocketkms/pkms/cmd"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	go func() {
		for range sig {
			cancel()
			if cmd.Graceful() {
				continue // agent, exec and serve shut down in order themselves
			}
			// As the AWS CLI does on Ctrl-C: a newline on stdout, exit 130.
			// Vault writes are transactions, so stopping here loses nothing
			// that was committed and leaves nothing half-written.
			fmt.Fprintln(os.Stdout)
			os.Exit(130)
		}
	}()
	os.Exit(cmd.Main(ctx, os.Args[1:]))
}
