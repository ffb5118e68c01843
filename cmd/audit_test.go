package cmd

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/server"
)

// An audit command prints and exits the same whether the error came from
// the vault in-process or back from an agent: agentError maps each answer
// to the error the in-process session returns.
func TestAuditErrorsThroughAgent(t *testing.T) {
	chain := &kms.ChainError{Seq: 7, EventID: "e-1", EventName: "Encrypt", Reason: "its MAC does not match"}
	tests := []struct {
		name   string
		err    error // what the agent's client returned
		local  error // what the in-process session returned
		code   int
		stderr string
	}{
		{"broken chain", chain, chainFailure(chain), exitVault,
			"pkms: audit chain broken at event 7 (Encrypt e-1): its MAC does not match\n" +
				"hint: the audit trail or the vault was changed outside pkms; keep this vault as evidence and restore a backup\n"},
		{"lookup exception", &kms.Error{Code: kms.InvalidNextTokenException, Message: "Invalid NextToken."},
			&opError{op: "LookupEvents", err: &kms.Error{Code: kms.InvalidNextTokenException, Message: "Invalid NextToken."}}, exitService,
			"\nAn error occurred (InvalidNextTokenException) when calling the LookupEvents operation: Invalid NextToken.\n"},
		{"damaged vault", &server.RemoteError{Kind: "vault", Message: "vault is corrupt: audit/x: bad"},
			&vaultError{err: errors.New("vault is corrupt: audit/x: bad")}, exitVault, "pkms: vault is corrupt: audit/x: bad\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var viaAgent, local bytes.Buffer
			code := report(&viaAgent, agentError("LookupEvents", tt.err))
			localCode := report(&local, tt.local)
			if code != tt.code || viaAgent.String() != tt.stderr {
				t.Errorf("through the agent: exit %d, stderr %q; want %d, %q", code, viaAgent.String(), tt.code, tt.stderr)
			}
			if localCode != code || local.String() != viaAgent.String() {
				t.Errorf("in-process: exit %d, stderr %q; through the agent: %d, %q", localCode, local.String(), code, viaAgent.String())
			}
		})
	}
}
