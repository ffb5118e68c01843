package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/pocketkms/pkms/vault"
	"github.com/pocketkms/pkms/vault/pkcs11"
)

// keyring is what this process offers the vault's key slots: the identities
// of --identity-file (native and plugin), PKCS#11 token identities built
// when a token slot is met, the age plugin UI, and the passphrase and PIN
// sources. Secrets it reads are kept only for the process's own later use
// (rekey reseals passphrase slots with the passphrase that opened the
// vault; a PIN read from a descriptor answers more than one login) and are
// zeroed by close.
type keyring struct {
	g          *unlocker
	identities []vault.Identity
	tokens     []*pkcs11.Identity
	passphrase []byte            // the passphrase last read through passphraseFunc
	pin        []byte            // the PIN read from --pin-fd or PKMS_PIN_FILE
	pinRead    bool              // pin holds what was read (it is read once)
	typedPINs  map[string][]byte // PINs typed on the terminal, by token label
	ui         *vault.PluginUI
}

// newKeyring loads the identity file (if any) and prepares the sources.
func (g *unlocker) newKeyring() (*keyring, error) {
	k := &keyring{g: g}
	k.ui = g.pluginUI(k.pinFromSource)
	ids, err := g.identities(k.ui)
	if err != nil {
		return nil, err
	}
	k.identities = ids
	return k, nil
}

// credentials are the vault.Credentials of the keyring; prompt is shown if
// the passphrase has to be asked on the terminal.
func (k *keyring) credentials(prompt string) vault.Credentials {
	return vault.Credentials{
		Identities:   k.identities,
		SlotIdentity: k.slotIdentity,
		PluginUI:     k.ui,
		Passphrase:   k.passphraseFunc(prompt),
		// A passphrase handed over in a file or descriptor is tried before
		// token and plugin slots, which may stop to ask for a PIN or touch.
		PassphraseFirst: k.g.passphraseFD >= 0 || k.g.env.getenv("PKMS_PASSPHRASE_FILE") != "",
	}
}

// passphraseFunc reads the passphrase from its source and remembers it.
func (k *keyring) passphraseFunc(prompt string) func() ([]byte, error) {
	src := k.g.passphraseSource(prompt)
	return func() ([]byte, error) {
		p, err := src()
		if err == nil {
			clear(k.passphrase)
			k.passphrase = bytes.Clone(p)
		}
		return p, err
	}
}

// slotIdentity opens the token of a pkcs11 slot: the module stored in the
// slot, unless PKMS_PKCS11_MODULE says where it lives on this machine.
// Nothing touches the token until the slot is tried.
func (k *keyring) slotIdentity(s vault.SlotInfo) (vault.Identity, error) {
	if s.Kind != vault.SlotPKCS11 {
		return nil, nil
	}
	token := s.Params[pkcs11.ParamTokenLabel]
	id, err := pkcs11.NewIdentity(pkcs11.Params(s.Params), pkcs11.Config{
		Module: k.g.env.getenv("PKMS_PKCS11_MODULE"),
		PIN:    k.pinFunc(token),
	})
	if err != nil {
		return nil, err
	}
	k.tokens = append(k.tokens, id)
	return id, nil
}

// pinFunc returns the PIN of the token labelled token: from --pin-fd or
// PKMS_PIN_FILE, else asked on the terminal once per process (creating a
// token slot logs in twice: to generate the key and to open the new vault).
// Each call returns a fresh copy: the token code zeroes what it is given.
func (k *keyring) pinFunc(token string) func() ([]byte, error) {
	return func() ([]byte, error) {
		pin, ok, err := k.pinFromSource()
		if err != nil || ok {
			return pin, err
		}
		if p, ok := k.typedPINs[token]; ok {
			return bytes.Clone(p), nil
		}
		pin, err = k.g.prompt("PIN for token " + strconv.Quote(token) + ": ")
		if errors.Is(err, errNoTerminal) {
			return nil, errNoPINSource
		}
		if err != nil {
			return nil, err
		}
		if k.typedPINs == nil {
			k.typedPINs = map[string][]byte{}
		}
		k.typedPINs[token] = bytes.Clone(pin)
		return pin, nil
	}
}

// pinFromSource is the PIN of --pin-fd or PKMS_PIN_FILE, read once: ok is
// false when neither is given.
func (k *keyring) pinFromSource() (pin []byte, ok bool, err error) {
	g := k.g
	if !k.pinRead {
		switch {
		case g.pinFD >= 0:
			k.pin, err = readFD(g.pinFD, "PIN")
		case g.env.getenv("PKMS_PIN_FILE") != "":
			k.pin, err = readFile(g.env.getenv("PKMS_PIN_FILE"), "PKMS_PIN_FILE", "PIN")
		default:
			return nil, false, nil
		}
		if err != nil {
			return nil, true, err
		}
		k.pinRead = true
	}
	return bytes.Clone(k.pin), true, nil
}

var errNoPINSource = errors.New("no terminal to ask for the PIN (use --pin-fd N or PKMS_PIN_FILE)")

// close releases token sessions and zeroes the secrets the keyring holds.
func (k *keyring) close() {
	for _, t := range k.tokens {
		_ = t.Close()
	}
	k.tokens = nil
	clear(k.passphrase)
	clear(k.pin)
	for _, p := range k.typedPINs {
		clear(p)
	}
	k.passphrase, k.pin, k.typedPINs = nil, nil, nil
}

// pluginUI answers age plugins: secret requests (a PIN) from --pin-fd or
// PKMS_PIN_FILE, else on the terminal; public requests and confirmations
// on the terminal; messages ("touch your token") on the terminal, else
// stderr; the "waiting" notice on stderr.
func (g *unlocker) pluginUI(pin func() ([]byte, bool, error)) *vault.PluginUI {
	var mu sync.Mutex // WaitTimer runs on its own goroutine
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(g.env.stderr, format, args...)
	}
	return &vault.PluginUI{
		DisplayMessage: func(name, message string) error {
			// A prompt to act ("touch your token") goes where the person
			// is: the terminal, else stderr.
			if tty, err := g.openTTY(); err == nil {
				defer tty.Close()
				fmt.Fprintf(tty, "pkms: age-plugin-%s: %s\n", name, message)
				return nil
			}
			say("pkms: age-plugin-%s: %s\n", name, message)
			return nil
		},
		RequestValue: func(name, prompt string, secret bool) (string, error) {
			if !secret {
				return g.ask(prompt + " ")
			}
			if p, ok, err := pin(); ok || err != nil {
				defer clear(p)
				return string(p), err
			}
			p, err := g.prompt(prompt + " ")
			defer clear(p)
			if errors.Is(err, errNoTerminal) {
				return "", fmt.Errorf("no terminal to answer age-plugin-%s (use --pin-fd N or PKMS_PIN_FILE)", name)
			}
			return string(p), err
		},
		Confirm: func(name, prompt, yes, no string) (bool, error) {
			choices := yes
			if no != "" {
				choices += "/" + no
			}
			for {
				a, err := g.ask(fmt.Sprintf("%s [%s] ", prompt, choices))
				if err != nil {
					return false, err
				}
				switch {
				case strings.EqualFold(a, yes):
					return true, nil
				case no != "" && strings.EqualFold(a, no):
					return false, nil
				}
			}
		},
		WaitTimer: func(name string) {
			say("pkms: waiting for age-plugin-%s (touch or unlock your token)\n", name)
		},
	}
}

// identities loads the age identities named by --identity-file or
// PKMS_IDENTITY_FILE: X25519 and post-quantum secret keys, and plugin
// identities (AGE-PLUGIN-...), which run their plugin through ui.
func (g *unlocker) identities(ui *vault.PluginUI) ([]vault.Identity, error) {
	path := g.identityFile
	if path == "" {
		path = g.env.getenv("PKMS_IDENTITY_FILE")
	}
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &vaultError{err: fmt.Errorf("reading identity file: %w", err)}
	}
	defer f.Close()
	ids, err := vault.ParseIdentities(f, ui)
	if err != nil {
		return nil, &vaultError{err: fmt.Errorf("identity file %s: %w", path, err)}
	}
	return ids, nil
}

// passphraseSource returns a function that reads the passphrase from
// --passphrase-fd, else the file named by PKMS_PASSPHRASE_FILE, else a
// prompt on the terminal. The passphrase is never taken from argv, the
// environment or standard input.
func (g *unlocker) passphraseSource(prompt string) func() ([]byte, error) {
	return func() ([]byte, error) {
		switch {
		case g.passphraseFD >= 0:
			return readFD(g.passphraseFD, "passphrase")
		case g.env.getenv("PKMS_PASSPHRASE_FILE") != "":
			return readFile(g.env.getenv("PKMS_PASSPHRASE_FILE"), "PKMS_PASSPHRASE_FILE", "passphrase")
		}
		p, err := g.prompt(prompt)
		if errors.Is(err, errNoTerminal) {
			return nil, errNoPassphraseSource
		}
		return p, err
	}
}

// readFD reads a secret (what: "passphrase", "PIN") from an inherited file
// descriptor, which it consumes.
func readFD(fd int, what string) ([]byte, error) {
	f := os.NewFile(uintptr(fd), what+"-fd")
	if f == nil {
		return nil, fmt.Errorf("descriptor %d is not open", fd)
	}
	defer f.Close()
	return readSecret(f, what, "descriptor "+strconv.Itoa(fd))
}

// readFile reads a secret from the file a variable (source) names.
func readFile(name, source, what string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	defer f.Close()
	return readSecret(f, what, source)
}

// readSecret reads a secret from a file or descriptor: everything up to
// EOF, without one trailing newline.
func readSecret(r io.Reader, what, from string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", what, from, err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 {
		return nil, fmt.Errorf("the %s from %s is empty", what, from)
	}
	return b, nil
}

var (
	errNoTerminal         = errors.New("no terminal")
	errNoPassphraseSource = errors.New("no terminal to ask for the passphrase")
)
