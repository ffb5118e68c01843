package cmd

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

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
	c.AddCommand(newCmdVaultInit(g), newCmdVaultPasswd(g), newCmdVaultInfo(g), newCmdVaultSlots(g),
		newCmdVaultRekey(g), newCmdVaultVerify(g), newCmdVaultExport(g), newCmdVaultImport(g))
	return c
}

// vaultSlot and the output types below are what the vault commands print;
// like the AWS outputs they render through --output and --query.
type vaultSlot struct {
	SlotId  string            `json:"SlotId"`
	Kind    vault.SlotKind    `json:"Kind"`
	Label   string            `json:"Label,omitempty"`
	Created *kms.Timestamp    `json:"Created,omitempty"`
	Params  map[string]string `json:"Params,omitempty"` // public: recipient, plugin, token, key id
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
		out = append(out, slotOf(s))
	}
	return out
}

func slotOf(s vault.SlotInfo) vaultSlot {
	return vaultSlot{SlotId: s.ID, Kind: s.Kind, Label: s.Label, Created: kms.NewTimestamp(s.Created), Params: s.Params}
}

// newPassphrase reads a passphrase for a new slot: from the descriptor fd
// when one is given, else (when fileOK) from PKMS_PASSPHRASE_FILE, else
// twice from the terminal, where both entries must agree.
func (g *unlocker) newPassphrase(fd int, fileOK bool, label string) ([]byte, error) {
	if fd >= 0 {
		return readFD(fd, "passphrase")
	}
	if fileOK && g.env.getenv("PKMS_PASSPHRASE_FILE") != "" {
		return g.passphraseSource("")()
	}
	p1, err := g.prompt("Enter " + label + ": ")
	if errors.Is(err, errNoTerminal) {
		return nil, errNoPassphraseSource
	}
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

// newSlotFlags choose the key slots of a new vault (init, import).
type newSlotFlags struct {
	recipients   []string
	plugins      []string
	tokens       []string
	module       string
	noPassphrase bool
	workFactor   int
}

func (f *newSlotFlags) register(c *cobra.Command) {
	c.Flags().IntVar(&f.workFactor, "scrypt-work-factor", 18, "scrypt work factor (log2 N) of the passphrase slot; 18 takes about a second")
	c.Flags().StringArrayVar(&f.recipients, "recipient", nil, "age recipient that gets a slot: age1... or age1pq1... (identity slot), age1<plugin>1... (plugin slot); repeatable")
	c.Flags().StringArrayVar(&f.plugins, "plugin-recipient", nil, "age plugin recipient that gets a slot (age1yubikey1..., age1fido2-hmac1..., age1tpm1...); repeatable")
	c.Flags().StringArrayVar(&f.tokens, "pkcs11-token", nil, "label of a PKCS#11 token that gets a slot (a new P-256 key is made on it); repeatable")
	c.Flags().StringVar(&f.module, "pkcs11-module", "", "PKCS#11 module for --pkcs11-token (default PKMS_PKCS11_MODULE, else a search of the usual paths)")
	c.Flags().BoolVar(&f.noPassphrase, "no-passphrase", false, "create no passphrase slot (needs --recipient, --plugin-recipient or --pkcs11-token)")
}

// initOptions turns the flags into the slots of a new vault, asking for the
// passphrase (twice on a terminal) and creating token keys.
func (g *unlocker) initOptions(f *newSlotFlags, k *keyring) (vault.InitOptions, error) {
	if f.noPassphrase && len(f.recipients)+len(f.plugins)+len(f.tokens) == 0 {
		return vault.InitOptions{}, usagef("--no-passphrase needs at least one --recipient, --plugin-recipient or --pkcs11-token, or the vault could never be opened")
	}
	if err := checkRecipients(f.recipients, f.plugins); err != nil {
		return vault.InitOptions{}, err
	}
	opts := vault.InitOptions{Recipients: slices.Concat(f.recipients, f.plugins), ScryptWorkFactor: f.workFactor, PluginUI: k.ui}
	// The passphrase first: a failure there must not leave new keys on a
	// token for a vault that was never made.
	if !f.noPassphrase {
		pass, err := g.newPassphrase(g.passphraseFD, true, "passphrase")
		if err != nil {
			return opts, err
		}
		opts.Passphrase = pass
	}
	for _, label := range f.tokens {
		spec, err := g.tokenSlot(label, f.module, "", k)
		if err != nil {
			return opts, err
		}
		opts.Slots = append(opts.Slots, spec)
	}
	return opts, nil
}

func newCmdVaultInit(g *globals) *cobra.Command {
	var (
		slots   newSlotFlags
		account string
	)
	c := &cobra.Command{
		Use:   "init",
		Short: "Create a new vault with a passphrase slot, age identity or plugin slots, and/or PKCS#11 token slots",
		Example: `  # a vault whose passphrase is read from a file descriptor (without --passphrase-fd
  # or PKMS_PASSPHRASE_FILE, pkms asks for it twice on the terminal)
  echo 'correct horse battery staple' > passphrase.txt
  pkms vault init --vault team.pkms --passphrase-fd 3 3< passphrase.txt
  pkms vault slots list --vault team.pkms --query 'Slots[].Kind' --output text

  # for CI: an age identity opens the vault, no passphrase at all
  # (a YubiKey instead: --pkcs11-token "YubiKey PIV" or --recipient age1yubikey1...)
  age-keygen -o ci.key 2> /dev/null
  pkms vault init --vault ci.pkms --recipient "$(age-keygen -y ci.key)" --no-passphrase
  pkms list-keys --vault ci.pkms --identity-file ci.key`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if account != "" && !kms.ValidAccountID(account) {
				return usagef("--account-id must be 12 digits")
			}
			path, k, err := g.newVault()
			if err != nil {
				return err
			}
			defer k.close()
			opts, err := g.initOptions(&slots, k)
			if err != nil {
				return newVaultError(path, err)
			}
			// The KMS configuration is written before the vault is linked
			// into place: one atomic step, no half-made vault.
			out := &vaultInitOutput{VaultPath: path}
			opts.Setup = func(v *vault.Vault) error {
				acct, err := kms.Initialize(kms.VaultStore(v), account)
				out.AccountId, out.Slots = acct, slotsOf(v.Slots())
				if err != nil {
					return err
				}
				// The trail starts with the vault's creation, in the same atomic step.
				return g.recordVault(c.Context(), v, "CreateVault", false, map[string]any{"accountId": acct, "slots": slotKinds(v.Slots())}, nil)
			}
			if err := vault.Init(path, opts); err != nil {
				return vaultFailure(err)
			}
			return g.render("VaultInit", out)
		},
	}
	slots.register(c)
	c.Flags().StringVar(&account, "account-id", "", "12-digit account id for ARNs and the default key policy (default: random)")
	return c
}

// newVault is where init and import create a vault, which must not exist
// yet (they never overwrite one), and the keyring for its new slots; the
// caller closes the keyring.
func (g *unlocker) newVault() (string, *keyring, error) {
	path, err := g.vaultPath()
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		return "", nil, &vaultError{err: fmt.Errorf("a vault already exists at %s", path)}
	}
	k, err := g.newKeyring()
	if err != nil {
		return "", nil, err
	}
	return path, k, nil
}

// newVaultError words a failure to gather a new vault's slots (init,
// import). Nothing is unlocked there: without a terminal, what is missing is
// the new vault's passphrase, or a slot that needs none.
func newVaultError(path string, err error) error {
	if errors.Is(err, errNoPassphraseSource) {
		return &vaultError{err: fmt.Errorf("cannot create %s: no terminal to ask for the new vault's passphrase", path),
			hints: []string{"give the new passphrase with --passphrase-fd N or PKMS_PASSPHRASE_FILE, " +
				"or make no passphrase slot: --no-passphrase with --recipient, --plugin-recipient or --pkcs11-token"}}
	}
	return unlockError(path, err)
}

// vaultHeader reads the public header (format, id, slots) of the vault,
// which needs no unlocking.
func (g *unlocker) vaultHeader() (string, *vault.Header, error) {
	path, err := g.vaultPath()
	if err != nil {
		return "", nil, err
	}
	h, err := vault.ReadHeader(path)
	if err != nil {
		return "", nil, unlockError(path, err)
	}
	return path, h, nil
}

func newCmdVaultPasswd(g *globals) *cobra.Command {
	var newFD, workFactor int
	c := &cobra.Command{
		Use:   "passwd",
		Short: "Change the vault passphrase (rewraps one key slot; no data is re-encrypted)",
		Example: `  # a new passphrase; old and new read from files here, asked on the terminal without them
  # (a work factor below the default 18 makes each unlock quicker and weaker)
  echo 'first passphrase' > old.txt
  echo 'second passphrase' > new.txt
  pkms vault init --vault my.pkms --scrypt-work-factor 14 --passphrase-fd 3 3< old.txt
  pkms vault passwd --vault my.pkms --scrypt-work-factor 14 --passphrase-fd 3 --new-passphrase-fd 4 \
      3< old.txt 4< new.txt
  pkms list-keys --vault my.pkms --passphrase-fd 3 3< new.txt`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			v, err := g.unlockVault()
			if err != nil {
				return err
			}
			defer v.Close()
			// PKMS_PASSPHRASE_FILE holds the current passphrase here, so the
			// new one comes from --new-passphrase-fd or the terminal.
			pass, err := g.newPassphrase(newFD, false, "new passphrase")
			if err != nil {
				return &vaultError{err: err}
			}
			err = v.ChangePassphrase(pass, workFactor)
			if rerr := g.recordVault(c.Context(), v, "ChangeVaultPassphrase", false, map[string]any{"scryptWorkFactor": workFactor}, err); rerr != nil {
				return rerr
			}
			if err != nil {
				return vaultFailure(err)
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
		Example: `  # the format version, the key slots, and (when it unlocks without a prompt) the counts
  pkms vault info
  pkms vault info --output table`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			path, h, err := g.vaultHeader()
			if err != nil {
				return err
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
func (g *unlocker) canUnlockSilently() bool {
	return g.identityFile != "" || g.env.getenv("PKMS_IDENTITY_FILE") != "" ||
		g.passphraseFD >= 0 || g.env.getenv("PKMS_PASSPHRASE_FILE") != "" ||
		g.pinFD >= 0 || g.env.getenv("PKMS_PIN_FILE") != ""
}

// slotKinds is the public description of slots in an audit event.
func slotKinds(infos []vault.SlotInfo) []any {
	out := []any{}
	for _, s := range infos {
		out = append(out, map[string]any{"slotId": s.ID, "kind": string(s.Kind), "label": s.Label})
	}
	return out
}
