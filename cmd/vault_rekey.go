package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/vault"
	"github.com/pocketkms/pkms/vault/pkcs11"
)

type vaultRekeyOutput struct {
	VaultPath string      `json:"VaultPath"`
	Records   int         `json:"Records"`
	Slots     []vaultSlot `json:"Slots"`
}

func newCmdVaultRekey(g *globals) *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:   "rekey",
		Short: "Replace the vault key: reseal every record and rewrap every slot, in one atomic step",
		Long: `Replace the vault key: every record is resealed under a new key and every
key slot is rewrapped, in one transaction, so an interruption at any point
leaves the old vault whole. Run it after removing a slot whose credential
may have leaked together with a copy of the vault file.

Passphrase slots keep their passphrase: the one that unlocked the vault is
used again (another passphrase slot asks for its own). Token and plugin
slots are rewrapped from their public keys; identity slots from their
recipients. Other processes (an agent) must unlock again afterwards.`,
		Example: `  # a new vault key: every record resealed, every slot rewrapped (asks first on a terminal)
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  pkms vault rekey --yes
  pkms describe-key --key-id "$K" --query KeyMetadata.KeyState --output text`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			path, err := g.vaultPath()
			if err != nil {
				return err
			}
			if err := g.confirm("Rekey "+path+" (every record is resealed and every key slot rewrapped)?", yes); err != nil {
				return err
			}
			v, k, err := g.unlock()
			if err != nil {
				return err
			}
			defer v.Close()
			defer k.close()
			bar := g.newProgressBar("resealing records")
			records := 0
			asked := map[string]int{}
			err = v.Rekey(vault.RekeyOptions{
				// The passphrase that unlocked the vault first; a slot it does
				// not open asks for its own (the vault asks up to 3 times).
				Passphrase: func(s vault.SlotInfo) ([]byte, error) {
					prompt := "Passphrase of key slot " + s.ID + " (" + strconv.Quote(s.Label) + "): "
					asked[s.ID]++
					switch {
					case asked[s.ID] > 1:
						p, err := g.prompt(prompt)
						if errors.Is(err, errNoTerminal) {
							return nil, fmt.Errorf("key slot %s has another passphrase, and there is no terminal to ask for it", s.ID)
						}
						return p, err
					case k.passphrase != nil:
						return bytes.Clone(k.passphrase), nil
					}
					return k.passphraseFunc(prompt)()
				},
				SlotRecipient: func(s vault.SlotInfo) (vault.Recipient, error) {
					return pkcs11.RecipientFromParams(pkcs11.Params(s.Params))
				},
				PluginUI: k.ui,
				Progress: func(done, total int) {
					records = total
					bar.update(done, total)
				},
			})
			bar.finish()
			if rerr := g.recordVault(c.Context(), v, "RekeyVault", false, nil, err); rerr != nil {
				return rerr
			}
			if err != nil {
				return vaultFailure(err)
			}
			return g.render("VaultRekey", &vaultRekeyOutput{VaultPath: path, Records: records, Slots: slotsOf(v.Slots())})
		},
	}
	c.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return c
}

type vaultVerifyOutput struct {
	VaultPath     string          `json:"VaultPath"`
	FormatVersion int             `json:"FormatVersion"`
	Slots         int             `json:"Slots"`
	Buckets       int             `json:"Buckets"`
	Records       int             `json:"Records"`
	Problems      []verifyProblem `json:"Problems"`
}

type verifyProblem struct {
	Bucket string `json:"Bucket,omitempty"`
	Record string `json:"Record,omitempty"`
	Reason string `json:"Reason"`
}

func newCmdVaultVerify(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check that every record and key slot authenticates; changes nothing",
		Long: `Check the whole vault without changing it: the file's page structure, the
metadata and every key slot, and every record (it must authenticate under
the vault key and belong where it is stored). The report lists each
problem; the exit code is 253 when there is any.`,
		Example: `  # check every record and slot; exit 253 and the problems when something is damaged
  pkms create-key --description "to check" --query KeyMetadata.KeyId --output text
  pkms vault verify`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			v, err := g.unlockVault()
			if err != nil {
				return err
			}
			defer v.Close()
			bar := g.newProgressBar("verifying records")
			rep, err := v.Verify(bar.update)
			bar.finish()
			if err == nil && rep.OK() {
				if err := g.recordVault(c.Context(), v, "VerifyVault", true, nil, nil); err != nil {
					return err
				}
			}
			if err != nil {
				return vaultFailure(err)
			}
			out := &vaultVerifyOutput{VaultPath: v.Path(), FormatVersion: rep.FormatVersion, Slots: rep.Slots,
				Buckets: rep.Buckets, Records: rep.Records, Problems: []verifyProblem{}}
			for _, p := range rep.Problems {
				out.Problems = append(out.Problems, verifyProblem(p))
			}
			if err := g.render("VaultVerify", out); err != nil {
				return err
			}
			if !rep.OK() {
				return &vaultError{err: fmt.Errorf("vault %s: %d problem(s) found", v.Path(), len(rep.Problems)),
					hints: []string{"restore the vault from a backup (pkms vault import)"}}
			}
			return nil
		},
	}
}
