package cmd

import (
	"testing"

	"github.com/pocketkms/pkms/kms"
)

// TestQueryOutsideTheSpecification: --query is refused where the AWS CLI
// v2 refuses it, with its text and exit code: syntax of later JMESPath
// dialects before any call (252), a function the specification lacks when
// the result is rendered (255); and keys(@) follows the response order.
func TestQueryOutsideTheSpecification(t *testing.T) {
	reply := &kms.ListKeysOutput{Keys: []kms.KeyListEntry{{KeyId: "k1", KeyArn: "arn:k1"}}, Truncated: no()}
	tests := []struct {
		name           string
		query          string
		code           int
		stdout, stderr string
		calls          int
	}{
		{"arithmetic", "length(Keys) + `1`", 252, "",
			"\nBad value for --query length(Keys) + `1`: Bad jmespath expression: Unknown token +:\nlength(Keys) + `1`\n             ^\n", 0},
		{"a variable", "let $k = Keys in $k", 252, "",
			"\nBad value for --query let $k = Keys in $k: Bad jmespath expression: Unknown token $:\nlet $k = Keys in $k\n    ^\n", 0},
		{"a function of a later dialect", "upper(Keys[0].KeyId)", 255, "", "\nUnknown function: upper()\n", 1},
		{"keys in member order", "Keys[0] | keys(@)", 0, "[\n    \"KeyId\",\n    \"KeyArn\"\n]\n", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: func(string, any) (any, error) { return reply, nil }}
			r := runWith(t, rec, nil, "list-keys", "--query", tt.query)
			if r.code != tt.code || r.stdout != tt.stdout || r.stderr != tt.stderr || len(rec.inputs) != tt.calls {
				t.Fatalf("exit %d, stdout %q, stderr %q, %d calls\nwant exit %d, stdout %q, stderr %q, %d calls",
					r.code, r.stdout, r.stderr, len(rec.inputs), tt.code, tt.stdout, tt.stderr, tt.calls)
			}
		})
	}
}
