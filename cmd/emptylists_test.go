package cmd

import (
	"strings"
	"testing"
)

// TestEmptyListMembers runs list commands whose result list is empty on a
// real vault: AWS sends the list member as [] ({"Keys": [], "Truncated":
// false}), so the CLI prints it, merged ({"Keys": []}) or as the raw page
// with --no-paginate.
func TestEmptyListMembers(t *testing.T) {
	envs := vaultEnv(t)
	run := func(args ...string) string {
		t.Helper()
		r := runReal(envs, args...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
		}
		return r.stdout
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"list-keys on an empty vault", []string{"list-keys"}, "{\n    \"Keys\": []\n}\n"},
		{"list-keys raw page", []string{"list-keys", "--no-paginate"}, "{\n    \"Keys\": [],\n    \"Truncated\": false\n}\n"},
		{"list-aliases raw page", []string{"list-aliases", "--no-paginate"}, "{\n    \"Aliases\": [],\n    \"Truncated\": false\n}\n"},
		{"list-keys as yaml", []string{"list-keys", "--output", "yaml"}, "Keys: []\n"},
		{"list-keys query", []string{"list-keys", "--query", "Keys"}, "[]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.args...); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	id := strings.TrimSpace(run("create-key", "--query", "KeyMetadata.KeyId", "--output", "text"))
	keyTests := []struct {
		name string
		args []string
		want string
	}{
		{"list-aliases of a key without aliases", []string{"list-aliases", "--key-id", id}, "{\n    \"Aliases\": []\n}\n"},
		{"list-resource-tags of an untagged key", []string{"list-resource-tags", "--key-id", id}, "{\n    \"Tags\": []\n}\n"},
		{"list-resource-tags raw page", []string{"list-resource-tags", "--key-id", id, "--no-paginate"}, "{\n    \"Tags\": [],\n    \"Truncated\": false\n}\n"},
		{"list-resource-tags query length", []string{"list-resource-tags", "--key-id", id, "--query", "length(Tags)"}, "0\n"},
	}
	for _, tt := range keyTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.args...); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
