package cmd

import (
	"bufio"
	"context"
	"reflect"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

// pkms audit: the vault's audit trail (see kms/audit.go). Its commands
// call the agent-only audit operations of the registry (kms/audit_ops.go)
// the way every operation is called: through the agent that holds the
// vault when one runs (it commits its queued events before it answers), else
// on the vault itself; the output, errors and exit codes are the same.

func newCmdAudit(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "audit",
		Short: "Query and verify the vault's tamper-evident audit trail",
		Long: `Every call (the command line, the agent, pkms serve; success or failure) and
every pkms vault and serve credentials command appends a CloudTrail-shaped
event to a hash chain kept inside the vault. Plaintext, key material,
ciphertext, signatures, MACs, passphrases and PINs are never recorded.

With an agent holding the vault (pkms agent, pkms exec), these commands go
through it, and see every call it answered; without one they open the vault.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(newCmdAuditVerify(g), newCmdAuditAnchor(g), newCmdAuditLookupEvents(g), newCmdAuditExport(g), newCmdAuditPrune(g))
	return c
}

// auditCall calls one audit operation through a new invoker.
func (g *globals) auditCall(ctx context.Context, name string, in any) (any, error) {
	inv := g.newInvoker()
	defer inv.close()
	return callAgentOnly(ctx, inv, name, in)
}

// chainFailure is the exit-253 error of a broken audit chain, in-process
// or through an agent.
func chainFailure(ce *kms.ChainError) error {
	return &vaultError{err: ce, hints: []string{"the audit trail or the vault was changed outside pkms; keep this vault as evidence and restore a backup"}}
}

func newCmdAuditVerify(g *globals) *cobra.Command {
	var anchor string
	c := &cobra.Command{
		Use:   "verify",
		Short: "Check the whole audit chain and the vault's records; exit 253 naming the first bad event",
		Example: `  # sign something, then check the whole trail, and that it has not gone back past an anchor
  A=$(pkms audit anchor --query Anchor --output text)
  K=$(pkms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
  pkms sign --key-id "$K" --message aGVsbG8= --signing-algorithm ECDSA_SHA_256 --query SigningAlgorithm --output text
  pkms audit verify
  pkms audit verify --anchor "$A"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			in := &kms.VerifyAuditTrailInput{}
			if c.Flags().Changed("anchor") {
				if _, err := kms.ParseAnchor(anchor); err != nil {
					return usagef("argument --anchor: %v", err)
				}
				in.Anchor = anchor
			}
			out, err := g.auditCall(c.Context(), "VerifyAuditTrail", in)
			if err != nil {
				return err
			}
			return g.render("AuditVerify", out)
		},
	}
	c.Flags().StringVar(&anchor, "anchor", "", "an anchor printed by pkms audit anchor: prove the vault has not gone back past it")
	return c
}

func newCmdAuditAnchor(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "anchor",
		Short: "Verify the chain and print its head, to keep outside the vault (a signed commit, a ticket)",
		Long: `Prints the chain head: the event count, the head event's hash and time, and
the anchor string. Keep it somewhere the vault's owner cannot rewrite; later,
pkms audit verify --anchor ANCHOR proves the vault has not been rolled back
past that point (a whole-file rollback is otherwise invisible from inside).`,
		Example: `  # keep the chain head outside the vault, and check against it later
  pkms create-key --description anchored --query KeyMetadata.KeyId --output text
  pkms audit anchor --query Anchor --output text > anchor.txt
  pkms audit verify --anchor "$(cat anchor.txt)"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			out, err := g.auditCall(c.Context(), "GetAuditAnchor", &kms.GetAuditAnchorInput{})
			if err != nil {
				return err
			}
			return g.render("AuditAnchor", out)
		},
	}
}

var lookupDocs = map[string]string{
	"LookupAttributes": "one filter: AttributeKey=EventName|ResourceName|Username|EventId|ReadOnly|AccessKeyId|EventSource|ResourceType,AttributeValue=VALUE",
	"StartTime":        "only events at or after this time",
	"EndTime":          "only events at or before this time",
	"MaxResults":       "events per page (1-50); given, only one page is printed",
	"NextToken":        "continue after a page that returned this NextToken; given, only one page is printed",
}

func newCmdAuditLookupEvents(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "lookup-events",
		Short: "List audit events, newest first, as aws cloudtrail lookup-events does",
		Example: `  # who signed, and every event since midnight (UTC) as text columns
  K=$(pkms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
  pkms sign --key-id "$K" --message aGVsbG8= --signing-algorithm ECDSA_SHA_256 > /dev/null
  pkms audit lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=Sign --query 'Events[].[EventName,Username]' --output text
  pkms audit lookup-events --start-time "$(date -u +%Y-%m-%dT00:00:00Z)" --query 'Events[].[EventTime,EventName,Username]' --output text`,
		Args: cobra.NoArgs,
	}
	members := bindMembers(c, reflect.TypeFor[kms.LookupEventsInput](), lookupDocs)
	c.RunE = func(c *cobra.Command, _ []string) error {
		opts, err := g.renderOptions("LookupEvents")
		if err != nil {
			return err
		}
		in := new(kms.LookupEventsInput)
		for _, m := range members {
			if err := m.apply(reflect.ValueOf(in).Elem(), g.binaryFormat); err != nil {
				return err
			}
		}
		// As the AWS CLI: the paginator follows NextToken unless the
		// request names a page itself.
		onePage := c.Flags().Changed("max-results") || c.Flags().Changed("next-token")
		inv := g.newInvoker()
		defer inv.close()
		var out *kms.LookupEventsOutput
		page := *in
		for {
			res, err := callAgentOnly(c.Context(), inv, "LookupEvents", &page)
			if err != nil {
				return err
			}
			got := res.(*kms.LookupEventsOutput)
			if out == nil {
				out = got
			} else {
				out.Events = append(out.Events, got.Events...)
				out.NextToken = got.NextToken
			}
			if onePage || got.NextToken == "" {
				break
			}
			page.NextToken = got.NextToken
		}
		return format.Render(g.env.stdout, out, opts)
	}
	return c
}

func newCmdAuditExport(g *globals) *cobra.Command {
	var since string
	c := &cobra.Command{
		Use:   "export",
		Short: "Write the audit events, oldest first, as JSON lines (one CloudTrail record per line)",
		Example: `  # the whole trail as JSON lines, and the CreateKey events of it through jq
  pkms create-key --query KeyMetadata.KeyId --output text > /dev/null
  pkms audit export > trail.jsonl
  pkms audit export --since 2026-01-01T00:00:00Z | jq -c 'select(.eventName=="CreateKey") | .eventTime'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			in := &kms.ExportEventsInput{}
			if since != "" {
				ts, err := kms.ParseTimestamp(since)
				if err != nil {
					return usagef("argument --since: invalid timestamp %q: use ISO 8601 (2026-01-02T15:04:05Z) or epoch seconds", since)
				}
				in.Since = &ts
			}
			// Page by page: through an agent each page is one response.
			inv := g.newInvoker()
			defer inv.close()
			w := bufio.NewWriter(g.env.stdout)
			for {
				res, err := callAgentOnly(c.Context(), inv, "ExportEvents", in)
				if err != nil {
					_ = w.Flush()
					return err
				}
				page := res.(*kms.ExportEventsOutput)
				for _, rec := range page.Events {
					_, _ = w.Write(rec)
					if err := w.WriteByte('\n'); err != nil {
						return err
					}
				}
				if page.NextToken == "" {
					return w.Flush()
				}
				in.NextToken = page.NextToken
			}
		},
	}
	c.Flags().StringVar(&since, "since", "", "only events at or after this time (ISO 8601 or epoch seconds)")
	return c
}

func newCmdAuditPrune(g *globals) *cobra.Command {
	var before string
	c := &cobra.Command{
		Use:   "prune",
		Short: "Delete the events older than a time; the rest of the chain stays verifiable from the last pruned event",
		Long: `Retention: deletes the oldest events, those before --before, after checking
the whole chain. The last deleted event's hash is kept as the chain's base, so
pkms audit verify still checks everything that is left. Export first if the
events must be kept elsewhere.`,
		Example: `  # keep a copy of the trail, prune what is older than now, and check what is left
  pkms create-key --query KeyMetadata.KeyId --output text > /dev/null
  pkms audit export > trail.jsonl
  pkms audit prune --before "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  pkms audit verify`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ts, err := kms.ParseTimestamp(before)
			if before == "" || err != nil {
				return usagef("argument --before: a time is required (ISO 8601 or epoch seconds)")
			}
			out, err := g.auditCall(c.Context(), "PruneEvents", &kms.PruneEventsInput{Before: &ts})
			if err != nil {
				return err
			}
			return g.render("AuditPrune", out)
		},
	}
	c.Flags().StringVar(&before, "before", "", "delete the events before this time (required)")
	return c
}

// recordVault appends the event of a pkms vault command, after the command
// ran on v (vault-level changes are not KMS transactions). cmdErr is the
// command's own outcome, recorded as its failure; a failure to record is
// returned only when the command succeeded.
func (g *globals) recordVault(ctx context.Context, v *vault.Vault, name string, readOnly bool, params map[string]any, cmdErr error) error {
	svc := kms.New(kms.VaultStore(v), g.serviceOptions())
	err := svc.Record(ctx, name, readOnly, params, func(context.Context) error { return cmdErr })
	if cmdErr != nil || err == nil {
		return nil
	}
	return vaultFailure(err)
}
