package vault

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
	"filippo.io/age/plugin"

	"github.com/pocketkms/pkms/internal/agetest"
)

// The simulated hardware token is internal/agetest: the test binary, run
// through a wrapper script named age-plugin-pkmstest on a temporary PATH.
const (
	envPlugin       = "PKMS_VAULT_TEST_PLUGIN"
	testPluginName  = agetest.Name
	testPIN         = agetest.PIN
	testTouchPrompt = agetest.TouchMessage
)

// testPluginRecipient is the plugin recipient of the fake token.
var testPluginRecipient = agetest.Recipient

// installFakePlugin puts age-plugin-pkmstest first on PATH for this test.
func installFakePlugin(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake plugin is a shell script")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := "#!/bin/sh\n" + envPlugin + "=1 exec '" + strings.ReplaceAll(exe, "'", `'\''`) + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "age-plugin-"+testPluginName), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// testUI answers plugin prompts with a PIN and records what it was shown.
type testUI struct {
	pin string

	mu       sync.Mutex
	prompts  []string
	messages []string
}

func (u *testUI) client() *plugin.ClientUI {
	return &plugin.ClientUI{
		RequestValue: func(name, prompt string, secret bool) (string, error) {
			u.mu.Lock()
			defer u.mu.Unlock()
			u.prompts = append(u.prompts, name+": "+prompt)
			if !secret {
				return "", errors.New("the PIN prompt must be secret")
			}
			return u.pin, nil
		},
		DisplayMessage: func(name, msg string) error {
			u.mu.Lock()
			defer u.mu.Unlock()
			u.messages = append(u.messages, name+": "+msg)
			return nil
		},
	}
}

func TestPluginSlot(t *testing.T) {
	installFakePlugin(t)
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	put(t, v, "keys", "k", "secret value")
	adder := &testUI{}
	info, err := v.AddRecipientSlot(testPluginRecipient, "my token", adder.client())
	if err != nil {
		t.Fatalf("AddRecipientSlot: %v", err)
	}
	if info.Kind != SlotPlugin || info.Label != "my token" || info.Params[ParamPlugin] != testPluginName || info.Params[ParamRecipient] != testPluginRecipient {
		t.Fatalf("slot = %+v", info)
	}
	if len(adder.prompts) != 0 {
		t.Errorf("wrapping prompted: %v", adder.prompts)
	}
	v.Close()

	tests := []struct {
		name         string
		pin          string // "" = no PluginUI
		pass         string // "" = no passphrase callback
		noPlugin     bool   // PATH without the plugin
		first        bool   // Credentials.PassphraseFirst
		wantErr      error
		wantMsg      string
		wantPrompted bool
		wantTouch    bool
	}{
		{name: "right PIN", pin: testPIN, wantPrompted: true, wantTouch: true},
		{name: "right PIN before passphrase", pin: testPIN, pass: "pw", wantPrompted: true, wantTouch: true},
		{name: "wrong PIN", pin: "000000", wantErr: ErrNoSlotMatched, wantMsg: "wrong PIN", wantPrompted: true},
		{name: "wrong PIN falls back to passphrase", pin: "000000", pass: "pw", wantPrompted: true},
		{name: "wrong PIN, wrong passphrase", pin: "000000", pass: "nope", wantErr: ErrIncorrectPassphrase, wantMsg: "wrong PIN", wantPrompted: true},
		{name: "no UI skips the plugin", pass: "pw"},
		{name: "missing plugin", pin: testPIN, noPlugin: true, wantErr: ErrNoSlotMatched, wantMsg: "age-plugin-pkmstest not found in PATH"},
		{name: "missing plugin falls back to passphrase", pin: testPIN, pass: "pw", noPlugin: true},
		{name: "passphrase at hand goes first", pin: testPIN, pass: "pw", first: true},
		{name: "wrong passphrase at hand, then the plugin", pin: testPIN, pass: "nope", first: true, wantPrompted: true, wantTouch: true},
		{name: "wrong passphrase at hand, wrong PIN", pin: "000000", pass: "nope", first: true, wantErr: ErrIncorrectPassphrase, wantMsg: "wrong PIN", wantPrompted: true},
		{name: "wrong passphrase at hand, no plugin UI", pass: "nope", first: true, wantErr: ErrIncorrectPassphrase, wantMsg: "incorrect passphrase"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.noPlugin {
				t.Setenv("PATH", t.TempDir())
			}
			ui := &testUI{pin: tc.pin}
			creds := Credentials{PassphraseFirst: tc.first}
			if tc.pin != "" {
				creds.PluginUI = ui.client()
			}
			passCalls := 0
			if tc.pass != "" {
				creds.Passphrase = func() ([]byte, error) { passCalls++; return []byte(tc.pass), nil }
			}
			before := fileHash(t, path)
			v, err := Unlock(path, creds, testOpts)
			if fileHash(t, path) != before {
				t.Error("Unlock changed the file")
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Fatalf("Unlock err = %v, want %v mentioning %q", err, tc.wantErr, tc.wantMsg)
				}
				if strings.Contains(err.Error(), testPIN) {
					t.Errorf("error shows the PIN: %v", err)
				}
			} else {
				if err != nil {
					t.Fatalf("Unlock: %v", err)
				}
				if got, err := get(v, "keys", "k"); err != nil || got != "secret value" {
					t.Errorf("Get = %q, %v", got, err)
				}
				v.Close()
			}
			if tc.noPlugin && tc.wantErr != nil {
				var nf *PluginNotFoundError
				if !errors.As(err, &nf) || nf.Binary() != "age-plugin-pkmstest" {
					t.Errorf("no PluginNotFoundError in %v", err)
				}
			}
			if (len(ui.prompts) > 0) != tc.wantPrompted {
				t.Errorf("prompts = %q, want prompted %v", ui.prompts, tc.wantPrompted)
			}
			for _, p := range ui.prompts {
				if !strings.Contains(p, "PIN") {
					t.Errorf("prompt %q", p)
				}
			}
			touched := len(ui.messages) == 1 && ui.messages[0] == testPluginName+": "+testTouchPrompt
			if touched != tc.wantTouch {
				t.Errorf("messages = %q, want touch message %v", ui.messages, tc.wantTouch)
			}
			wantCalls := 0
			if tc.pass != "" && (tc.wantErr != nil || !tc.wantTouch || tc.first) {
				wantCalls = 1
			}
			if passCalls != wantCalls {
				t.Errorf("passphrase asked %d times, want %d", passCalls, wantCalls)
			}
		})
	}
}

// Plugin slots at Init, through a plugin identity given as an identity (as
// from an AGE-PLUGIN-... stub file), and after Rekey.
func TestPluginSlotInitAndRekey(t *testing.T) {
	installFakePlugin(t)
	ui := &testUI{pin: testPIN}
	path := filepath.Join(t.TempDir(), "v")
	if err := Init(path, InitOptions{Recipients: []string{testPluginRecipient}, PluginUI: ui.client(), NoSync: true}); err != nil {
		t.Fatalf("Init: %v", err)
	}
	stub, err := plugin.NewIdentityWithoutData(testPluginName, ui.client())
	if err != nil {
		t.Fatal(err)
	}
	v, err := Unlock(path, Credentials{Identities: []age.Identity{stub}}, testOpts)
	if err != nil {
		t.Fatalf("Unlock with a plugin identity: %v", err)
	}
	put(t, v, "keys", "k", "v")
	if err := v.Rekey(RekeyOptions{PluginUI: ui.client()}); err != nil {
		t.Fatalf("Rekey: %v", err)
	}
	v.Close()
	v, err = Unlock(path, Credentials{PluginUI: ui.client()}, testOpts)
	if err != nil {
		t.Fatalf("Unlock after Rekey: %v", err)
	}
	defer v.Close()
	if got, err := get(v, "keys", "k"); err != nil || got != "v" {
		t.Fatalf("Get = %q, %v", got, err)
	}
}

func TestAddPluginSlotMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	path := initVault(t, "pw")
	v := mustUnlock(t, path, "pw")
	before := fileHash(t, path)
	r := plugin.EncodeRecipient("nosuchplugin", []byte("x"))
	_, err := v.AddRecipientSlot(r, "", &plugin.ClientUI{})
	var nf *PluginNotFoundError
	if !errors.As(err, &nf) || nf.Plugin != "nosuchplugin" || !strings.Contains(err.Error(), "age-plugin-nosuchplugin not found in PATH") {
		t.Fatalf("err = %v, want PluginNotFoundError naming age-plugin-nosuchplugin", err)
	}
	if len(v.Slots()) != 1 || fileHash(t, path) != before {
		t.Error("a failed AddRecipientSlot changed the vault")
	}
}
