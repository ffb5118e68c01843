package cmd

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

func newCmdVault(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "vault",
		Short: "Create and manage the encrypted vault file",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(newCmdVaultInit(g), newCmdVaultPasswd(g), newCmdVaultInfo(g))
	return c
}

// vaultSlot and the output types below are what the vault commands print;
// like the AWS outputs they render through --output and --query.
type vaultSlot struct {
	SlotId  string         `json:"SlotId"`
	Kind    vault.SlotKind `json:"Kind"`
	Label   string         `json:"Label,omitempty"`
	Created *kms.Timestamp `json:"Created,omitempty"`
}

type vaultInitOutput struct {
	VaultPath string      `json:"VaultPath"`
	AccountId string      `json:"AccountId"`
	Slots     []vaultSlot `json:"Slots"`
}

type vaultInfoOutput struct {
	VaultPath     string      `json:"VaultPath"`
	FormatVersion int         `json:"FormatVersion"`
	VaultId       string      `json:"VaultId"`
	Slots         []vaultSlot `json:"Slots"`
	Keys          *int        `json:"Keys,omitempty"`
	Aliases       *int        `json:"Aliases,omitempty"`
}

func slotsOf(infos []vault.SlotInfo) []vaultSlot {
	out := []vaultSlot{}
	for _, s := range infos {
		out = append(out, vaultSlot{SlotId: s.ID, Kind: s.Kind, Label: s.Label, Created: kms.NewTimestamp(s.Created)})
	}
	return out
}

func (g *globals) render(title string, v any) error {
	opts, err := g.renderOptions(title)
	if err != nil {
		return err
	}
	return format.Render(g.env.stdout, v, opts)
}

// newPassphrase reads a passphrase for a new slot: from the descriptor fd
// when one is given, else (when fileOK) from PKMS_PASSPHRASE_FILE, else
// twice from the terminal, where both entries must agree.
func (g *globals) newPassphrase(fd int, fileOK bool, label string) ([]byte, error) {
	if fd >= 0 {
		return readFD(fd)
	}
	if fileOK && g.env.getenv("PKMS_PASSPHRASE_FILE") != "" {
		return g.passphraseSource("")()
	}
	p1, err := g.prompt("Enter " + label + ": ")
	if err != nil {
		return nil, err
	}
	if len(p1) == 0 {
		return nil, errors.New("the passphrase must not be empty")
	}
	p2, err := g.prompt("Confirm " + label + ": ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(p1, p2) {
		return nil, errors.New("the passphrases do not match")
	}
	return p1, nil
}

func newCmdVaultInit(g *globals) *cobra.Command {
	var (
		workFactor   int
		recipients   []string
		noPassphrase bool
		account      string
	)
	c := &cobra.Command{
		Use:   "init",
		Short: "Create a new vault with a passphrase slot and/or age identity slots",
		Example: `  pkms vault init                                   # asks for a passphrase twice on the terminal
  pkms vault init --passphrase-fd 3 3<passphrase.txt  # non-interactive
  pkms vault init --recipient age1... --no-passphrase  # CI: unlocked with --identity-file`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			path, err := g.vaultPath()
			if err != nil {
				return err
			}
			if account != "" && !kms.ValidAccountID(account) {
				return usagef("--account-id must be 12 digits")
			}
			if noPassphrase && len(recipients) == 0 {
				return usagef("--no-passphrase needs at least one --recipient, or the vault could never be opened")
			}
			if _, err := os.Stat(path); err == nil {
				return &vaultError{err: fmt.Errorf("a vault already exists at %s", path)}
			}
			opts := vault.InitOptions{Recipients: recipients, ScryptWorkFactor: workFactor}
			if !noPassphrase {
				pass, err := g.newPassphrase(g.passphraseFD, true, "passphrase")
				if err != nil {
					return unlockError(path, err)
				}
				opts.Passphrase = pass
			}
			if err := vault.Init(path, opts); err != nil {
				return &vaultError{err: err}
			}
			creds := vault.Credentials{Passphrase: func() ([]byte, error) { return opts.Passphrase, nil }}
			if noPassphrase {
				if creds.Identities, err = g.identities(); err != nil {
					return err
				}
			}
			out, err := initKMS(path, creds, account)
			if err != nil {
				_ = os.Remove(path) // it holds nothing yet
				return err
			}
			return g.render("VaultInit", out)
		},
	}
	c.Flags().IntVar(&workFactor, "scrypt-work-factor", 18, "scrypt work factor (log2 N) of the passphrase slot; 18 takes about a second")
	c.Flags().StringArrayVar(&recipients, "recipient", nil, "age recipient (age1...) that gets an identity slot; repeatable")
	c.Flags().BoolVar(&noPassphrase, "no-passphrase", false, "create no passphrase slot (needs --recipient)")
	c.Flags().StringVar(&account, "account-id", "", "12-digit account id for ARNs and the default key policy (default: random)")
	return c
}

// initKMS writes the KMS configuration of a freshly created vault. A vault
// created with identity slots only is opened with the caller's identity if
// one is given; otherwise its configuration is written on first use.
func initKMS(path string, creds vault.Credentials, account string) (*vaultInitOutput, error) {
	v, err := vault.Unlock(path, creds, vault.Options{})
	if err != nil {
		return nil, &vaultError{err: fmt.Errorf("opening the new vault: %w", err),
			hints: []string{"with --no-passphrase, pass the identity of one --recipient with --identity-file"}}
	}
	defer v.Close()
	acct, err := kms.Initialize(kms.VaultStore(v), account)
	if err != nil {
		return nil, &vaultError{err: err}
	}
	return &vaultInitOutput{VaultPath: path, AccountId: acct, Slots: slotsOf(v.Slots())}, nil
}

func newCmdVaultPasswd(g *globals) *cobra.Command {
	var newFD, workFactor int
	c := &cobra.Command{
		Use:   "passwd",
		Short: "Change the vault passphrase (rewraps one key slot; no data is re-encrypted)",
		Example: `  pkms vault passwd
  pkms vault passwd --passphrase-fd 3 --new-passphrase-fd 4 3<old.txt 4<new.txt`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			path, err := g.vaultPath()
			if err != nil {
				return err
			}
			ids, err := g.identities()
			if err != nil {
				return err
			}
			v, err := vault.Unlock(path, vault.Credentials{Identities: ids, Passphrase: g.passphraseSource("Current passphrase: ")}, vault.Options{})
			if err != nil {
				return unlockError(path, err)
			}
			defer v.Close()
			// PKMS_PASSPHRASE_FILE holds the current passphrase here, so the
			// new one comes from --new-passphrase-fd or the terminal.
			pass, err := g.newPassphrase(newFD, false, "new passphrase")
			if err != nil {
				return &vaultError{err: err}
			}
			if err := v.ChangePassphrase(pass, workFactor); err != nil {
				return &vaultError{err: err}
			}
			fmt.Fprintln(g.env.stderr, "pkms: passphrase changed")
			return nil
		},
	}
	c.Flags().IntVar(&newFD, "new-passphrase-fd", -1, "read the new passphrase from this file descriptor")
	c.Flags().IntVar(&workFactor, "scrypt-work-factor", 18, "scrypt work factor (log2 N) of the new passphrase slot")
	return c
}

func newCmdVaultInfo(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Show the vault's format version and key slots, and key and alias counts when it can be unlocked without a prompt",
		Example: `  pkms vault info
  pkms vault info --identity-file ci.key --output table`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			path, err := g.vaultPath()
			if err != nil {
				return err
			}
			h, err := vault.ReadHeader(path)
			if err != nil {
				return unlockError(path, err)
			}
			out := &vaultInfoOutput{VaultPath: path, FormatVersion: h.FormatVersion, VaultId: hex.EncodeToString(h.ID), Slots: slotsOf(h.Slots)}
			if g.canUnlockSilently() {
				svc, v, err := g.openService()
				if err != nil {
					return err
				}
				defer v.Close()
				keys, aliases, err := svc.Counts()
				if err != nil {
					return err
				}
				out.Keys, out.Aliases = &keys, &aliases
			}
			return g.render("VaultInfo", out)
		},
	}
}

// canUnlockSilently reports whether credentials were given that need no prompt.
func (g *globals) canUnlockSilently() bool {
	return g.identityFile != "" || g.env.getenv("PKMS_IDENTITY_FILE") != "" ||
		g.passphraseFD >= 0 || g.env.getenv("PKMS_PASSPHRASE_FILE") != ""
}
