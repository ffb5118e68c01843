package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/vault"
	"github.com/pocketkms/pkms/vault/pkcs11"
)

func newCmdVaultSlots(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "slots",
		Short: "List, add and remove the vault's key slots (passphrase, age identity, age plugin, PKCS#11 token)",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(newCmdSlotsList(g), newCmdSlotsAdd(g), newCmdSlotsRemove(g))
	return c
}

type slotsListOutput struct {
	Slots []vaultSlot `json:"Slots"`
}

func newCmdSlotsList(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the key slots; reads the file's header only, so it needs no unlocking",
		Example: `  # every slot, and the ids of the passphrase slots
  pkms vault slots list --output table
  pkms vault slots list --query "Slots[?Kind=='passphrase'].SlotId" --output text`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, h, err := g.vaultHeader()
			if err != nil {
				return err
			}
			return g.render("VaultSlots", &slotsListOutput{Slots: slotsOf(h.Slots)})
		},
	}
}

func newCmdSlotsAdd(g *globals) *cobra.Command {
	var (
		passphrase      bool
		recipient       string
		pluginRecipient string
		token           string
		module          string
		label           string
		newFD           int
		workFactor      int
	)
	c := &cobra.Command{
		Use:   "add (--passphrase | --recipient AGE1... | --plugin-recipient AGE1NAME1... | --pkcs11-token LABEL)",
		Short: "Add a key slot: unlocks the vault, then wraps its key for the new slot",
		Example: `  # a second way in: an age identity for CI next to the passphrase (also
  # --passphrase, --plugin-recipient age1yubikey1..., --pkcs11-token LABEL)
  age-keygen -o ci.key 2> /dev/null
  pkms vault slots add --recipient "$(age-keygen -y ci.key)" --label ci
  pkms list-keys --identity-file ci.key`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			kinds := 0
			for _, set := range []bool{passphrase, recipient != "", pluginRecipient != "", token != ""} {
				if set {
					kinds++
				}
			}
			if kinds != 1 {
				return usagef("give exactly one of --passphrase, --recipient, --plugin-recipient and --pkcs11-token")
			}
			if err := checkRecipients(nonEmpty(recipient), nonEmpty(pluginRecipient)); err != nil {
				return err
			}
			v, k, err := g.unlock()
			if err != nil {
				return err
			}
			defer v.Close()
			defer k.close()
			var info vault.SlotInfo
			switch {
			case passphrase:
				var pass []byte
				if pass, err = g.newPassphrase(newFD, false, "passphrase for the new slot"); err != nil {
					return &vaultError{err: err}
				}
				defer clear(pass)
				info, err = v.AddPassphraseSlot(pass, workFactor, label)
			case token != "":
				var spec vault.SlotSpec
				if spec, err = g.tokenSlot(token, module, label, k); err != nil {
					return vaultFailure(err)
				}
				info, err = v.AddSlot(spec)
			default:
				info, err = v.AddRecipientSlot(recipient+pluginRecipient, label, k.ui)
			}
			if rerr := g.recordVault(c.Context(), v, "AddVaultSlot", false, map[string]any{"slot": slotKinds([]vault.SlotInfo{info})}, err); rerr != nil {
				return rerr
			}
			if err != nil {
				return vaultFailure(err)
			}
			out := slotOf(info)
			return g.render("VaultSlot", &out)
		},
	}
	f := c.Flags()
	f.BoolVar(&passphrase, "passphrase", false, "add a passphrase slot (asked twice on the terminal, or --new-passphrase-fd)")
	f.StringVar(&recipient, "recipient", "", "add a slot for an age recipient: X25519 (age1...) or post-quantum (age1pq1...) identity, or a plugin (age1<name>1...)")
	f.StringVar(&pluginRecipient, "plugin-recipient", "", "add a plugin slot for an age plugin recipient (age1yubikey1..., age1fido2-hmac1..., age1tpm1..., age1se1...)")
	f.StringVar(&token, "pkcs11-token", "", "add a slot guarded by a new non-extractable P-256 key on the PKCS#11 token with this label")
	f.StringVar(&module, "pkcs11-module", "", "PKCS#11 module for --pkcs11-token (default PKMS_PKCS11_MODULE, else a search of the usual paths)")
	f.StringVar(&label, "label", "", "label shown by slots list (default: the passphrase kind, the recipient or the token label)")
	f.IntVar(&newFD, "new-passphrase-fd", -1, "read the new slot's passphrase from this file descriptor")
	f.IntVar(&workFactor, "scrypt-work-factor", 18, "scrypt work factor (log2 N) of a new passphrase slot")
	return c
}

// checkRecipients checks --recipient (any age recipient) and
// --plugin-recipient (a plugin recipient only) before anything is
// unlocked or run.
func checkRecipients(recipients, pluginRecipients []string) error {
	for _, r := range recipients {
		if _, err := parseRecipient(r, nil); err != nil {
			return usagef("--recipient: %v", err)
		}
	}
	for _, r := range pluginRecipients {
		parsed, err := parseRecipient(r, nil)
		if err != nil {
			return usagef("--plugin-recipient: %v", err)
		}
		if !vault.IsPluginRecipient(parsed) {
			return usagef("--plugin-recipient: not a plugin recipient (age1<name>1...); use --recipient")
		}
	}
	return nil
}

// parseRecipient parses an age recipient string; a plugin recipient keeps
// ui for when it wraps (nil: no prompts). Errors never echo the string (it
// may be a secret key).
func parseRecipient(s string, ui *vault.PluginUI) (vault.Recipient, error) {
	r, err := vault.ParseRecipient(s, ui)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "vault: "))
	}
	return r, nil
}

func newCmdSlotsRemove(g *globals) *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:   "remove SLOT-ID",
		Short: "Remove a key slot (never the last one); asks on the terminal, or needs --yes",
		Example: `  # remove a slot by its id (never the last one); --yes where no terminal can ask
  age-keygen -o ci.key 2> /dev/null
  pkms vault slots add --recipient "$(age-keygen -y ci.key)" --label ci
  ID=$(pkms vault slots list --query "Slots[?Label=='ci'].SlotId" --output text)
  pkms vault slots remove "$ID" --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path, h, err := g.vaultHeader()
			if err != nil {
				return err
			}
			var target *vault.SlotInfo
			for i := range h.Slots {
				if h.Slots[i].ID == args[0] {
					target = &h.Slots[i]
				}
			}
			if target == nil {
				return &vaultError{err: fmt.Errorf("%s has no key slot %q", path, args[0]), hints: []string{"see: pkms vault slots list"}}
			}
			if len(h.Slots) == 1 {
				return &vaultError{err: fmt.Errorf("%w (slot %s): the vault could never be opened again", vault.ErrLastSlot, args[0]),
					hints: []string{"add another slot first: pkms vault slots add"}}
			}
			question := fmt.Sprintf("Remove key slot %s (%s %q) from %s?", target.ID, target.Kind, target.Label, path)
			if err := g.confirm(question, yes); err != nil {
				return err
			}
			v, err := g.unlockVault()
			if err != nil {
				return err
			}
			defer v.Close()
			err = v.RemoveSlot(args[0])
			if rerr := g.recordVault(c.Context(), v, "RemoveVaultSlot", false, map[string]any{"slotId": args[0]}, err); rerr != nil {
				return rerr
			}
			if err != nil {
				return vaultFailure(err)
			}
			fmt.Fprintf(g.env.stderr, "pkms: removed key slot %s. If its credential may have leaked together with a copy of the vault file, also run: pkms vault rekey\n", args[0])
			return nil
		},
	}
	c.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return c
}

// tokenSlot creates a key on the PKCS#11 token labelled token and returns
// the slot spec that wraps the vault key to it. Without a module it tries
// PKMS_PKCS11_MODULE, then the usual module paths, until one has the token.
func (g *unlocker) tokenSlot(token, module, label string, k *keyring) (vault.SlotSpec, error) {
	modules := []string{module}
	if module == "" {
		modules = pkcs11Modules(g.env.getenv("PKMS_PKCS11_MODULE"))
	}
	if len(modules) == 0 {
		return vault.SlotSpec{}, &vaultError{err: errors.New("no PKCS#11 module found"),
			hints: []string{"pass --pkcs11-module PATH (for example libykcs11.so, opensc-pkcs11.so or libsofthsm2.so) or set PKMS_PKCS11_MODULE"}}
	}
	if label == "" {
		label = token
	}
	var errs []error
	for _, m := range modules {
		r, err := pkcs11.GenerateKey(pkcs11.Config{Module: m, TokenLabel: token, PIN: k.pinFunc(token)})
		if err == nil {
			return vault.SlotSpec{Kind: vault.SlotPKCS11, Label: label, Params: r.Params(), Recipient: r}, nil
		}
		if errors.Is(err, pkcs11.ErrNoCgo) || !pkcs11.Unavailable(err) {
			return vault.SlotSpec{}, err
		}
		errs = append(errs, err)
	}
	return vault.SlotSpec{}, &vaultError{err: errors.Join(errs...),
		hints: []string{"plug in the token, check its label (pkcs11-tool --list-token-slots), or pass --pkcs11-module"}}
}

// pkcs11Modules lists the modules to try: env when set, else those
// installed at the usual paths.
func pkcs11Modules(env string) []string {
	if env != "" {
		return []string{env}
	}
	return pkcs11.KnownModules()
}

// nonEmpty is s as a list of zero or one.
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
