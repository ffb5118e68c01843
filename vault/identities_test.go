package vault

import (
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/plugin"
)

// TestParseIdentities: identity files as the age tool reads them; errors
// never echo a line.
func TestParseIdentities(t *testing.T) {
	x, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	pluginID := plugin.EncodeIdentity("pkmstest", []byte("token-1"))
	tests := []struct {
		name    string
		file    string
		want    int    // identities parsed
		wantErr string // substring of the error
	}{
		{"x25519 with comments", "# created: today\n\n" + x.String() + "\n", 1, ""},
		{"post-quantum and plugin", pq.String() + "\n" + pluginID + "\n", 2, ""},
		{"crlf lines", x.String() + "\r\n" + pluginID + "\r\n", 2, ""},
		{"empty", "# nothing\n", 0, "no identities"},
		{"a recipient by mistake", x.Recipient().String() + "\n", 0, "line 1: not an age identity"},
		{"a broken secret key is not echoed", "AGE-SECRET-KEY-1SECRETSECRET\n", 0, "line 1: not an age identity"},
		{"a broken plugin identity", "AGE-PLUGIN-BROKEN\n", 0, "line 1: invalid plugin identity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, err := ParseIdentities(strings.NewReader(tc.file), &PluginUI{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "SECRETSECRET") || strings.Contains(err.Error(), x.Recipient().String()) {
					t.Errorf("error echoes the line: %v", err)
				}
				return
			}
			if err != nil || len(ids) != tc.want {
				t.Fatalf("got %d identities, %v; want %d", len(ids), err, tc.want)
			}
		})
	}
}

// TestIsPluginRecipient tells plugin recipients from native ones.
func TestIsPluginRecipient(t *testing.T) {
	x, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	pluginRecipient := plugin.EncodeRecipient("pkmstest", []byte("token-1"))
	tests := []struct {
		recipient string
		want      bool
	}{
		{x.Recipient().String(), false},
		{pluginRecipient, true},
	}
	for _, tc := range tests {
		r, err := ParseRecipient(tc.recipient, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.recipient, err)
		}
		if got := IsPluginRecipient(r); got != tc.want {
			t.Errorf("IsPluginRecipient(%s) = %v, want %v", tc.recipient, got, tc.want)
		}
	}
}
