package cmd

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

// pkms audit: the vault's audit trail (see kms/audit.go). These commands
// open the vault themselves, as pkms vault does: an agent holding the vault
// keeps its queued events until it is locked or stopped.

func newCmdAudit(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "audit",
		Short: "Query and verify the vault's tamper-evident audit trail",
		Long: `Every call (the command line, the agent, pkms serve; success or failure) and
every pkms vault and serve credentials command appends a CloudTrail-shaped
event to a hash chain kept inside the vault. Plaintext, key material,
ciphertext, signatures, MACs, passphrases and PINs are never recorded.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(newCmdAuditVerify(g), newCmdAuditAnchor(g), newCmdAuditLookupEvents(g), newCmdAuditExport(g), newCmdAuditPrune(g))
	return c
}

// withAudit runs fn on the unlocked vault as one recorded pkms call.
func (g *globals) withAudit(ctx context.Context, name string, readOnly bool, params map[string]any, fn func(context.Context, *kms.Service, *vault.Vault) error) error {
	svc, v, err := g.openService()
	if err != nil {
		return err
	}
	defer v.Close()
	defer svc.Close()
	return auditFailure(name, svc.Record(ctx, name, readOnly, params, func(ctx context.Context) error { return fn(ctx, svc, v) }))
}

// auditFailure maps a broken chain and the vault's own failures to exit
// 253, and KMS-style exceptions (CloudTrail's) to 254.
func auditFailure(op string, err error) error {
	var ce *kms.ChainError
	var ke *kms.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return &vaultError{err: err, hints: []string{"the audit trail or the vault was changed outside pkms; keep this vault as evidence and restore a backup"}}
	case errors.As(err, &ke):
		return &opError{op: op, err: ke}
	case isVaultError(err):
		return vaultFailure(err)
	}
	return err
}

type auditStatusOutput struct {
	Status        string         `json:"Status"`
	Events        uint64         `json:"Events"`
	HeadEvent     uint64         `json:"HeadEvent"`
	HeadHash      string         `json:"HeadHash,omitempty"`
	HeadTime      *kms.Timestamp `json:"HeadTime,omitempty"`
	PrunedThrough uint64         `json:"PrunedThrough,omitempty"`
	Anchor        string         `json:"Anchor,omitempty"`
}

func statusOutput(st *kms.AuditStatus) *auditStatusOutput {
	out := &auditStatusOutput{Status: "OK", Events: st.Events, HeadEvent: st.Head.Seq, PrunedThrough: st.Base.Seq}
	if st.Head.Seq > 0 {
		out.HeadHash = hex.EncodeToString(st.Head.MAC)
		out.HeadTime = kms.NewTimestamp(st.Head.Time)
		out.Anchor = kms.Anchor{Seq: st.Head.Seq, MAC: st.Head.MAC}.String()
	}
	return out
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
			var a *kms.Anchor
			if c.Flags().Changed("anchor") {
				parsed, err := kms.ParseAnchor(anchor)
				if err != nil {
					return usagef("argument --anchor: %v", err)
				}
				a = &parsed
			}
			var out *auditStatusOutput
			err := g.withAudit(c.Context(), "VerifyAuditTrail", true, nil, func(ctx context.Context, svc *kms.Service, v *vault.Vault) error {
				// The vault's own check first: a record rolled back or
				// deleted behind the chain's back (a key, the head) is named there.
				rep, err := v.Verify(nil)
				if err != nil {
					return err
				}
				if !rep.OK() {
					var named []string
					for _, p := range rep.Problems {
						if p.Record == "" {
							named = append(named, p.Reason) // a whole bucket or the file's structure
						} else {
							named = append(named, p.Error())
						}
					}
					return fmt.Errorf("%w: %s", vault.ErrCorrupt, strings.Join(named, "; "))
				}
				var st *kms.AuditStatus
				if a != nil {
					st, err = svc.CheckAnchor(ctx, *a)
				} else {
					st, err = svc.VerifyAudit(ctx)
				}
				if err != nil {
					return err
				}
				out = statusOutput(st)
				return nil
			})
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
			var out *auditStatusOutput
			err := g.withAudit(c.Context(), "GetAuditAnchor", true, nil, func(ctx context.Context, svc *kms.Service, _ *vault.Vault) error {
				st, err := svc.VerifyAudit(ctx)
				if err == nil {
					out = statusOutput(st)
				}
				return err
			})
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
		params := map[string]any{}
		if len(in.LookupAttributes) > 0 {
			params["lookupAttributes"] = in.LookupAttributes
		}
		var out *kms.LookupEventsOutput
		err = g.withAudit(c.Context(), "LookupEvents", true, params, func(ctx context.Context, svc *kms.Service, _ *vault.Vault) error {
			page := *in
			for {
				res, err := svc.LookupEvents(ctx, &page)
				if err != nil {
					return err
				}
				if out == nil {
					out = res
				} else {
					out.Events = append(out.Events, res.Events...)
					out.NextToken = res.NextToken
				}
				if onePage || res.NextToken == "" {
					return nil
				}
				page.NextToken = res.NextToken
			}
		})
		if err != nil {
			return err
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
			var from time.Time
			if since != "" {
				ts, err := kms.ParseTimestamp(since)
				if err != nil {
					return usagef("argument --since: invalid timestamp %q: use ISO 8601 (2026-01-02T15:04:05Z) or epoch seconds", since)
				}
				from = ts.Time
			}
			w := bufio.NewWriter(g.env.stdout)
			err := g.withAudit(c.Context(), "ExportEvents", true, nil, func(ctx context.Context, svc *kms.Service, _ *vault.Vault) error {
				return svc.ExportAudit(ctx, from, func(rec []byte) error {
					if _, err := w.Write(rec); err != nil {
						return err
					}
					return w.WriteByte('\n')
				})
			})
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			return err
		},
	}
	c.Flags().StringVar(&since, "since", "", "only events at or after this time (ISO 8601 or epoch seconds)")
	return c
}

type auditPruneOutput struct {
	Pruned int `json:"Pruned"`
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
			out := &auditPruneOutput{}
			err = g.withAudit(c.Context(), "PruneEvents", false, map[string]any{"before": ts.UTC().Format(time.RFC3339)}, func(ctx context.Context, svc *kms.Service, _ *vault.Vault) error {
				n, err := svc.PruneAudit(ctx, ts.Time)
				if err != nil {
					return err
				}
				out.Pruned = n
				return nil
			})
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
