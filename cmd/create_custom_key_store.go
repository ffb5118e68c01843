package cmd

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pocketkms/pkms/kms"
)

// keyStoreHelp says how pkms maps AWS's CloudHSM key store onto a PKCS#11
// token; create-custom-key-store and update-custom-key-store show it.
const keyStoreHelp = `
pkms backs a custom key store with a PKCS#11 token you own (YubiHSM, smart card,
network HSM, SoftHSM2) instead of a CloudHSM cluster:
  --cloud-hsm-cluster-id   names the token: its label, or slot:N
  --pkcs11-module          the PKCS#11 module (.so); default PKMS_PKCS11_MODULE, else
                           the first module at the usual paths that has the token
  --key-store-password     the token's user PIN (7-32 characters, as AWS requires),
                           sealed in the vault like AWS keeps the kmsuser password.
                           It is visible to other users in argv: prefer PKMS_PIN_FILE
                           or the terminal prompt (create-custom-key-store asks).
  --trust-anchor-certificate  a PEM certificate, checked and kept (file://customerCA.crt)
Only AWS_CLOUDHSM stores exist; EXTERNAL_KEY_STORE (XKS) is UnsupportedOperationException.
connect-custom-key-store logs in to the token (synchronously: CONNECTED or FAILED with
a ConnectionErrorCode); keys made with create-key --origin AWS_CLOUDHSM are AES-256 keys
generated in the token (sensitive, never extractable) and encrypt inside it; with
--pkms-token-signing (pkms only) create-key makes a signing key pair there instead.
CONNECTING and DISCONNECTING are never seen: connecting is synchronous. A pkms built
without cgo has no PKCS#11 and answers UnsupportedOperationException.`

// xksMembers describes members of external key stores that AWS's
// generated documentation leaves out.
var xksMembers = map[string]string{
	"XksProxyUriPath":                "The base path of the external key store proxy's API (external key stores only, which pkms answers with UnsupportedOperationException).",
	"XksProxyVpcEndpointServiceName": "The Amazon VPC endpoint service name of the external key store proxy (external key stores only, which pkms answers with UnsupportedOperationException).",
}

func init() { operationCommand("CreateCustomKeyStore", newCmdCreateCustomKeyStore) }

// newCmdCreateCustomKeyStore is `pkms create-custom-key-store`, AWS KMS CreateCustomKeyStore.
func newCmdCreateCustomKeyStore(g *globals) *cobra.Command {
	c := opCommand(g, "CreateCustomKeyStore", opDoc{
		Short:   operationShort["CreateCustomKeyStore"],
		Differs: keyStoreHelp,
		Members: xksMembers,
		Example: `  # a store on the SoftHSM2 or YubiHSM token labelled lab-hsm, with a trust anchor
  # certificate as AWS asks for one; the token's user PIN is asked on the terminal
  # (or read from PKMS_PIN_FILE), never taken from argv unless you give it there
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout customerCA.key \
      -subj /CN=customerCA -days 365 -out customerCA.crt
  CKS=$(pkms create-custom-key-store --custom-key-store-name lab-hsm --cloud-hsm-cluster-id lab-hsm \
      --trust-anchor-certificate file://customerCA.crt --query CustomKeyStoreId --output text)
  pkms connect-custom-key-store --custom-key-store-id "$CKS"
  pkms create-key --origin AWS_CLOUDHSM --custom-key-store-id "$CKS" --description "in the token"`,
		Prepare: func(c *cobra.Command, in any) error {
			req := in.(*kms.CreateCustomKeyStoreInput)
			if req.CustomKeyStoreType == kms.CustomKeyStoreTypeExternalKeyStore {
				return nil
			}
			return g.keyStorePassword(c, &req.KeyStorePassword, req.CloudHsmClusterId)
		},
	})
	aliasFlag(c, "pkcs11-module", "pkms-pkcs11-module")
	if f := c.Flags().Lookup("pkms-pkcs11-module"); f != nil {
		f.Usage = "pkms only (also --pkcs11-module): the PKCS#11 module of the token (default PKMS_PKCS11_MODULE, else the usual paths)"
	}
	return c
}

// aliasFlag lets --alias stand for --name on c.
func aliasFlag(c *cobra.Command, alias, name string) {
	c.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, n string) pflag.NormalizedName {
		if n == alias {
			n = name
		}
		return pflag.NormalizedName(n)
	})
}

// keyStorePassword completes the key store password (the token PIN): a
// --key-store-password in argv is warned about; an absent one is read from
// PKMS_PIN_FILE, else asked on the terminal.
func (g *unlocker) keyStorePassword(c *cobra.Command, pw *string, token string) error {
	if c.Flags().Changed("key-store-password") {
		g.warnArgvPassword()
		return nil
	}
	if *pw != "" {
		return nil // from --cli-input-json
	}
	var pin []byte
	var err error
	if f := g.env.getenv("PKMS_PIN_FILE"); f != "" {
		pin, err = readFile(f, "PKMS_PIN_FILE", "PIN")
	} else {
		pin, err = g.prompt("Key store password (user PIN of token " + strconv.Quote(token) + "): ")
		if errors.Is(err, errNoTerminal) {
			return usagef("the key store password (the token's user PIN) is required: give it in PKMS_PIN_FILE, on the terminal, or with --key-store-password")
		}
	}
	if err != nil {
		return err
	}
	*pw = string(pin)
	clear(pin)
	return nil
}

// warnArgvPassword warns that a password given in argv is not secret.
func (g *unlocker) warnArgvPassword() {
	fmt.Fprintln(g.env.stderr, "pkms: warning: --key-store-password is visible to other users of this machine (process list, shell history); prefer PKMS_PIN_FILE or the prompt")
}
