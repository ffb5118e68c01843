package vault

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/plugin"
)

// The vault's key slots are age files, so opening and wrapping them takes
// age identities, recipients and the age plugin protocol's UI. These names
// are what the vault offers its callers for them: the command line parses,
// holds and passes them through the vault without handling age itself, and
// every rule about age's formats stays in this package.

// Identity opens key slots: an age identity (X25519, post-quantum hybrid,
// plugin stub) or a token identity (vault/pkcs11).
type Identity = age.Identity

// Recipient wraps a key slot or an export: an age recipient or a token's.
type Recipient = age.Recipient

// PluginUI is how age plugins ask for a PIN or a confirmation and show
// messages such as "touch your token".
type PluginUI = plugin.ClientUI

// ParseIdentities parses an age identity file as the age tool does, plugin
// identities included (they run their plugin through ui). Errors never
// quote a line: it may be a secret key.
func ParseIdentities(r io.Reader, ui *PluginUI) ([]Identity, error) {
	const maxSize = 16 << 20
	var ids []Identity
	sc := bufio.NewScanner(io.LimitReader(r, maxSize))
	sc.Buffer(nil, maxSize)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("line %d is not valid UTF-8", n)
		}
		if strings.HasPrefix(line, "AGE-PLUGIN-") {
			id, err := plugin.NewIdentity(line, ui)
			if err != nil {
				return nil, fmt.Errorf("line %d: invalid plugin identity", n)
			}
			ids = append(ids, id)
			continue
		}
		parsed, err := age.ParseIdentities(strings.NewReader(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: not an age identity (AGE-SECRET-KEY-1..., AGE-SECRET-KEY-PQ-1... or AGE-PLUGIN-...)", n)
		}
		ids = append(ids, parsed...)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("no identities found")
	}
	return ids, nil
}

// IsPluginRecipient reports whether r (from ParseRecipient) runs an age
// plugin (age1<name>1...).
func IsPluginRecipient(r Recipient) bool {
	_, ok := r.(*plugin.Recipient)
	return ok
}
