package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// `pkms man DIR` writes the manual pages, one per command, from the
// command tree itself (cobra/doc), so they cannot drift from --help. They
// are built on demand rather than kept in the tree: packagers run it at
// build time.

func newCmdMan(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write the manual pages (section 1), one per command, into DIR",
		Long: `Write one roff manual page per command (pkms.1, pkms-encrypt.1,
pkms-vault-init.1, ...) into DIR, creating it if needed. The pages come
from the same text as --help. SOURCE_DATE_EPOCH, when set, fixes the date
printed in them (reproducible builds). To install them for every user:
sudo pkms man /usr/local/share/man/man1.`,
		Example: `  # write every page into ./man, then read one (man -l ./man/pkms-encrypt.1)
  pkms man ./man
  grep -q 'pkms-encrypt' ./man/pkms-encrypt.1`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("pkms man takes one directory")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("cannot create %s: %w", dir, err)
			}
			root := c.Root()
			root.DisableAutoGenTag = true
			header := &doc.GenManHeader{Title: "PKMS", Section: "1", Source: root.Version, Manual: "pkms manual"}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("cannot write the manual pages: %w", err)
			}
			fmt.Fprintf(g.env.stderr, "pkms man: wrote the manual pages into %s\n", dir)
			return nil
		},
	}
}
