package vault

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/plugin"
)

// SlotKind names how a key slot is unlocked.
type SlotKind string

// Slot kinds. Any other valid kind name is an outside kind: the vault stores
// its public parameters and age file, and the caller supplies the recipient
// (AddSlot, Rekey) and the identity (Credentials.SlotIdentity). A vault
// holding a slot of a kind the caller does not handle still opens through
// its other slots.
const (
	SlotPassphrase SlotKind = "passphrase" // age scrypt
	SlotIdentity   SlotKind = "identity"   // age X25519 (age1...) or post-quantum hybrid (age1pq1...) recipient
	SlotPlugin     SlotKind = "plugin"     // age plugin recipient (age1<name>1...), run as age-plugin-<name>
	SlotPKCS11     SlotKind = "pkcs11"     // PKCS#11 token key (an outside kind, handled by the caller)
)

// Well-known keys of SlotInfo.Params.
const (
	ParamRecipient = "recipient" // identity and plugin slots: the age recipient string the key is wrapped to
	ParamPlugin    = "plugin"    // plugin slots: the plugin name; its binary is age-plugin-<name>
)

// SlotInfo describes a key slot. It holds nothing secret.
type SlotInfo struct {
	ID      string
	Kind    SlotKind
	Label   string
	Created time.Time
	// Params are the slot's public parameters: ParamRecipient and
	// ParamPlugin for the built-in kinds, whatever the caller stored for an
	// outside kind (a token label, a key id).
	Params map[string]string
}

func (s SlotInfo) clone() SlotInfo {
	s.Params = maps.Clone(s.Params)
	return s
}

// builtin reports whether the vault itself knows how to wrap to the kind.
func (k SlotKind) builtin() bool {
	return k == SlotPassphrase || k == SlotIdentity || k == SlotPlugin
}

// SlotSpec describes a new slot of an outside kind (AddSlot,
// InitOptions.Slots): the caller builds the age.Recipient (for example from
// a PKCS#11 token's public key) and chooses the public Params it will need
// to find the token and key again at unlock and rekey time.
type SlotSpec struct {
	Kind      SlotKind
	Label     string
	Params    map[string]string // public only: stored in plaintext
	Recipient age.Recipient
}

// Limits on a stored slot entry; anything larger is corrupt.
const (
	maxSlotEntry  = 64 << 10
	maxSlotLabel  = 4096
	maxSlotKind   = 32
	maxParams     = 16
	maxParamName  = 64
	maxParamValue = 4096
	defaultScrypt = 18 // age's default work factor
	maxScrypt     = 22 // age's default maximum when decrypting
)

// slot is one parsed key slot: its description and the age file that wraps
// the vault key.
type slot struct {
	SlotInfo
	ageFile []byte
	mac     []byte // slotMAC as stored; nil in a format 2 vault
}

// slotEntry is the stored (JSON) form of a slot, the value under its id in
// the meta/slots bucket.
type slotEntry struct {
	Kind    string            `json:"kind"`
	Label   string            `json:"label"`
	Created time.Time         `json:"created"`
	Params  map[string]string `json:"params,omitempty"`
	Age     []byte            `json:"age"`
	MAC     []byte            `json:"mac,omitempty"` // format 3: slotMAC
}

// slotKey is the bbolt key of a slot: its sequence number, big-endian.
func slotKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func encodeSlot(s *slot) ([]byte, error) {
	return json.Marshal(slotEntry{Kind: string(s.Kind), Label: s.Label, Created: s.Created.UTC(), Params: s.Params, Age: s.ageFile, MAC: s.mac})
}

// parseSlot decodes and validates a stored slot. It never panics; every
// problem is returned as an error describing it (no secrets are involved:
// the age file is encrypted).
func parseSlot(key, value []byte) (*slot, error) {
	if len(key) != 8 {
		return nil, fmt.Errorf("slot key has %d bytes, want 8", len(key))
	}
	seq := binary.BigEndian.Uint64(key)
	if seq == 0 {
		return nil, errors.New("slot id 0")
	}
	id := strconv.FormatUint(seq, 10)
	if len(value) > maxSlotEntry {
		return nil, fmt.Errorf("slot %s: entry of %d bytes is too large", id, len(value))
	}
	var e slotEntry
	if err := json.Unmarshal(value, &e); err != nil {
		return nil, fmt.Errorf("slot %s: cannot decode entry: %v", id, err)
	}
	if !validKind(e.Kind) {
		return nil, fmt.Errorf("slot %s: invalid kind", id)
	}
	if !validText(e.Label, maxSlotLabel) {
		return nil, fmt.Errorf("slot %s: invalid label", id)
	}
	if err := validParams(e.Params); err != nil {
		return nil, fmt.Errorf("slot %s: %v", id, err)
	}
	if len(e.Age) == 0 {
		return nil, fmt.Errorf("slot %s: empty age file", id)
	}
	if _, err := age.ExtractHeader(bytes.NewReader(e.Age)); err != nil {
		return nil, fmt.Errorf("slot %s: age file: %v", id, err)
	}
	return &slot{
		SlotInfo: SlotInfo{ID: id, Kind: SlotKind(e.Kind), Label: e.Label, Created: e.Created, Params: e.Params},
		ageFile:  e.Age,
		mac:      e.MAC,
	}, nil
}

func validKind(k string) bool {
	if k == "" || len(k) > maxSlotKind {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validText accepts printable UTF-8 of at most max bytes: labels and
// parameters end up on terminals.
func validText(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

func validParams(p map[string]string) error {
	if len(p) > maxParams {
		return fmt.Errorf("%d parameters, at most %d", len(p), maxParams)
	}
	for k, v := range p {
		if len(k) > maxParamName || !validKind(strings.ReplaceAll(k, "_", "-")) {
			return fmt.Errorf("invalid parameter name %q", k)
		}
		if !validText(v, maxParamValue) {
			return fmt.Errorf("invalid value of parameter %q", k)
		}
	}
	return nil
}

func validLabel(label string) error {
	if !validText(label, maxSlotLabel) {
		return errors.New("vault: invalid slot label (control characters, invalid UTF-8 or too long)")
	}
	return nil
}

// wrapKey encrypts the vault key to recipients as a small age file.
func wrapKey(vk []byte, recipients ...age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, pluginError(err)
	}
	if _, err := w.Write(vk); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var errBadSlot = errors.New("bad slot")

// pluginError turns age's "plugin binary not found" into PluginNotFoundError,
// which callers turn into a hint.
func pluginError(err error) error {
	var nf *plugin.NotFoundError
	if errors.As(err, &nf) {
		return &PluginNotFoundError{Plugin: nf.Name, Err: err}
	}
	return err
}

// passphraseSlot builds a passphrase slot (age scrypt, alone in its file).
func passphraseSlot(vk, pass []byte, workFactor int, now time.Time) (*slot, error) {
	if len(pass) == 0 {
		return nil, errors.New("vault: empty passphrase")
	}
	wf, err := scryptWorkFactor(workFactor)
	if err != nil {
		return nil, err
	}
	r, err := age.NewScryptRecipient(string(pass))
	if err != nil {
		return nil, fmt.Errorf("vault: passphrase: %v", err)
	}
	r.SetWorkFactor(wf)
	f, err := wrapKey(vk, r)
	if err != nil {
		return nil, fmt.Errorf("vault: wrapping passphrase slot: %v", err)
	}
	return &slot{SlotInfo: SlotInfo{Kind: SlotPassphrase, Label: "passphrase", Created: now}, ageFile: f}, nil
}

func scryptWorkFactor(wf int) (int, error) {
	switch {
	case wf == 0:
		return defaultScrypt, nil
	case wf < 1 || wf > maxScrypt:
		return 0, fmt.Errorf("vault: scrypt work factor %d out of range 1..%d", wf, maxScrypt)
	}
	return wf, nil
}

// slotWorkFactor reads the scrypt work factor from a passphrase slot's age
// header ("-> scrypt SALT WF"), so that Rekey keeps each slot's cost.
func slotWorkFactor(ageFile []byte) (int, error) {
	hdr, err := age.ExtractHeader(bytes.NewReader(ageFile))
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(hdr))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "->" && f[1] == "scrypt" {
			wf, err := strconv.Atoi(f[3])
			if err != nil {
				return 0, fmt.Errorf("scrypt work factor %q", f[3])
			}
			return scryptWorkFactor(wf)
		}
	}
	return 0, errors.New("no scrypt stanza")
}

// ParseRecipient parses an age recipient string as the vault uses it for
// identity and plugin slots and for Export: X25519 ("age1..."), post-quantum
// hybrid ("age1pq1...") or plugin ("age1<name>1...", run as
// age-plugin-<name> with ui for its prompts; nil ui answers none).
func ParseRecipient(s string, ui *plugin.ClientUI) (age.Recipient, error) {
	r, _, _, err := parseRecipient(s, ui)
	return r, err
}

// parseRecipient is ParseRecipient that also returns the slot kind and the
// public parameters to store.
func parseRecipient(s string, ui *plugin.ClientUI) (age.Recipient, SlotKind, map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || !validText(s, maxParamValue) || strings.ContainsRune(s, '#') {
		// Do not echo: it may be a secret key pasted by mistake.
		return nil, "", nil, errors.New("vault: invalid recipient")
	}
	params := map[string]string{ParamRecipient: s}
	// As in age: "age1pq1" is the hybrid type, not a plugin named "pq".
	if strings.HasPrefix(s, "age1pq1") {
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return nil, "", nil, fmt.Errorf("vault: post-quantum recipient %q: %v", s, err)
		}
		return r, SlotIdentity, params, nil
	}
	if r, err := age.ParseX25519Recipient(s); err == nil {
		return r, SlotIdentity, params, nil
	}
	name, _, err := plugin.ParseRecipient(s)
	if err != nil || !strings.HasPrefix(s, "age1") {
		// Like age, never echo it: it may be a secret key given by mistake.
		return nil, "", nil, errors.New("vault: not an age X25519 (age1...), post-quantum (age1pq1...) or plugin (age1<name>1...) recipient")
	}
	if ui == nil {
		ui = &plugin.ClientUI{}
	}
	r, err := plugin.NewRecipient(s, ui)
	if err != nil {
		return nil, "", nil, fmt.Errorf("vault: plugin recipient %q: %v", s, err)
	}
	params[ParamPlugin] = name
	return r, SlotPlugin, params, nil
}

// recipientSlot builds an identity or plugin slot for an age recipient
// string. A plugin is run to wrap the key and may prompt through ui.
func recipientSlot(vk []byte, recipient, label string, ui *plugin.ClientUI, now time.Time) (*slot, error) {
	r, kind, params, err := parseRecipient(recipient, ui)
	if err != nil {
		return nil, err
	}
	if label == "" {
		label = params[ParamRecipient]
	}
	return newSlot(vk, kind, label, params, r, now)
}

// specSlot builds a slot of an outside kind from its spec.
func specSlot(vk []byte, spec SlotSpec, now time.Time) (*slot, error) {
	if !validKind(string(spec.Kind)) || spec.Kind.builtin() {
		return nil, fmt.Errorf("vault: slot kind %q is not an outside kind (use AddPassphraseSlot or AddRecipientSlot)", spec.Kind)
	}
	if spec.Recipient == nil {
		return nil, errors.New("vault: slot spec has no recipient")
	}
	if err := validParams(spec.Params); err != nil {
		return nil, fmt.Errorf("vault: slot parameters: %v", err)
	}
	return newSlot(vk, spec.Kind, spec.Label, maps.Clone(spec.Params), spec.Recipient, now)
}

func newSlot(vk []byte, kind SlotKind, label string, params map[string]string, r age.Recipient, now time.Time) (*slot, error) {
	if err := validLabel(label); err != nil {
		return nil, err
	}
	f, err := wrapKey(vk, r)
	if err != nil {
		return nil, fmt.Errorf("vault: wrapping the vault key for a %s slot: %w", kind, err)
	}
	return &slot{SlotInfo: SlotInfo{Kind: kind, Label: label, Created: now, Params: params}, ageFile: f}, nil
}
