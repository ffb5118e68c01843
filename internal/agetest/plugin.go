// Package agetest is a simulated hardware token for tests: a real age plugin
// (the server side of filippo.io/age/plugin) that asks for a PIN and shows a
// "touch" message while unwrapping, as age-plugin-yubikey does. Tests run
// their own binary as age-plugin-pkmstest (through a wrapper script or
// testscript's command table), so the code under test starts a genuine
// plugin process and speaks the genuine protocol to it. Underneath it wraps
// to a fixed X25519 key, under its own stanza type.
//
// It is a test helper only; nothing outside _test files imports it.
package agetest

import (
	"errors"
	"flag"
	"os"

	"filippo.io/age"
	"filippo.io/age/plugin"
)

const (
	// Name is the plugin name: its binary is age-plugin-pkmstest.
	Name = "pkmstest"
	// PIN is the PIN the simulated token accepts.
	PIN = "246810"
	// TouchMessage is shown (DisplayMessage) after a correct PIN.
	TouchMessage = "touch your pkmstest token"
	// PINPrompt is the secret value the plugin requests while unwrapping.
	PINPrompt = "Enter the PIN of the pkmstest token:"
	// stanzaType marks the simulated token's stanzas.
	stanzaType = "pkmstest"
	// tokenKey is the fixed key inside the simulated token.
	tokenKey = "AGE-SECRET-KEY-1C65KP5NS5YV2VR7DP4T47W630KD9FPQ0QCPHTQZUC03SC2K4EUTQHCYZ7N"
)

// Recipient is the plugin recipient of the simulated token.
var Recipient = plugin.EncodeRecipient(Name, []byte("token-1"))

// Identity is the plugin identity of the simulated token, as it would appear
// in an age identity file (AGE-PLUGIN-PKMSTEST-1...).
var Identity = plugin.EncodeIdentity(Name, []byte("token-1"))

// PluginMain runs the plugin with os.Args and returns its exit code.
func PluginMain() int {
	p, err := plugin.New(Name)
	if err != nil {
		return 1
	}
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	p.RegisterFlags(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 1
	}
	key, err := age.ParseX25519Identity(tokenKey)
	if err != nil {
		return 1
	}
	p.HandleRecipient(func([]byte) (age.Recipient, error) { return recipient{key.Recipient()}, nil })
	p.HandleIdentity(func([]byte) (age.Identity, error) { return identity{p, key}, nil })
	p.HandleIdentityAsRecipient(func([]byte) (age.Recipient, error) { return recipient{key.Recipient()}, nil })
	return p.Main()
}

type recipient struct{ r *age.X25519Recipient }

func (f recipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	ss, err := f.r.Wrap(fileKey)
	for _, s := range ss {
		s.Type = stanzaType
	}
	return ss, err
}

type identity struct {
	p   *plugin.Plugin
	key *age.X25519Identity
}

func (f identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	var mine []*age.Stanza
	for _, s := range stanzas {
		if s.Type == stanzaType {
			mine = append(mine, &age.Stanza{Type: "X25519", Args: s.Args, Body: s.Body})
		}
	}
	if len(mine) == 0 {
		return nil, age.ErrIncorrectIdentity
	}
	pin, err := f.p.RequestValue(PINPrompt, true)
	if err != nil {
		return nil, err
	}
	if pin != PIN {
		return nil, errors.New("wrong PIN")
	}
	if err := f.p.DisplayMessage(TouchMessage); err != nil {
		return nil, err
	}
	return f.key.Unwrap(mine)
}
