// Command pkms is AWS KMS in your pocket: the aws kms command line, offline,
// on one encrypted local vault file. See README.md.
package main

import (
	"os"

	"github.com/pocketkms/pkms/cmd"
)

func main() { os.Exit(cmd.Main(os.Args[1:])) }
