package kms

// The audit trail's queries (pkms audit ...) are operations of the
// registry, as the access keys are: agentOnly, so that the command line
// reaches them in-process or on an agent's private socket, and a SigV4
// client of pkms serve never does (the trail names every key and caller of
// the vault). Going through Invoke gives them one recorded event per call
// (eventSource pkms) and lets a command work while an agent holds the
// vault file: the agent answers from its own open vault.
//
// An agent group-commits its events (audit_queue.go), so each of these
// operations commits the queued events first: a query sees every call
// answered before it, as it does in a one-shot command.

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"time"
)

func init() {
	implement("VerifyAuditTrail", afterFlush((*Service).verifyAuditTrail), readOnly, noKey, agentOnly)
	implement("GetAuditAnchor", afterFlush(func(s *Service, ctx context.Context, _ *GetAuditAnchorInput) (*AuditTrailStatus, error) {
		st, err := s.VerifyAudit(ctx)
		if err != nil {
			return nil, err
		}
		return trailStatus(st), nil
	}), readOnly, noKey, agentOnly)
	implement("LookupEvents", afterFlush((*Service).LookupEvents), readOnly, noKey, agentOnly)
	implement("ExportEvents", afterFlush(func(s *Service, ctx context.Context, in *ExportEventsInput) (*ExportEventsOutput, error) {
		var since time.Time
		if in.Since != nil {
			since = in.Since.Time
		}
		return s.exportPage(ctx, since, in.NextToken, exportPageBytes)
	}), readOnly, noKey, agentOnly)
	// Queued events are the newest: committed first, they are pruned or
	// kept by their time like every other.
	implement("PruneEvents", afterFlush(func(s *Service, ctx context.Context, in *PruneEventsInput) (*PruneEventsOutput, error) {
		n, err := s.PruneAudit(ctx, in.Before.Time)
		if err != nil {
			return nil, err
		}
		return &PruneEventsOutput{Pruned: n}, nil
	}), writes, noKey, agentOnly)
}

// afterFlush is fn run once the queued events are committed.
func afterFlush[I, O any](fn func(*Service, context.Context, *I) (*O, error)) func(*Service, context.Context, *I) (*O, error) {
	return func(s *Service, ctx context.Context, in *I) (*O, error) {
		if err := s.FlushAudit(ctx); err != nil {
			return nil, err
		}
		return fn(s, ctx, in)
	}
}

// VerifyAuditTrailInput is the request of VerifyAuditTrail (`pkms audit verify`).
type VerifyAuditTrailInput struct {
	// Anchor, an anchor printed by GetAuditAnchor, also proves that the
	// vault has not gone back past it.
	Anchor string `json:"Anchor,omitempty"`
}

// GetAuditAnchorInput is the request of GetAuditAnchor (`pkms audit
// anchor`): it has no members.
type GetAuditAnchorInput struct{}

// AuditTrailStatus is the answer of VerifyAuditTrail and GetAuditAnchor:
// the verified chain's size, head and base, and the head as an anchor.
type AuditTrailStatus struct {
	Status        string     `json:"Status"`
	Events        uint64     `json:"Events"`
	HeadEvent     uint64     `json:"HeadEvent"`
	HeadHash      string     `json:"HeadHash,omitempty"`
	HeadTime      *Timestamp `json:"HeadTime,omitempty"`
	PrunedThrough uint64     `json:"PrunedThrough,omitempty"`
	Anchor        string     `json:"Anchor,omitempty"`
}

// ExportEventsInput is the request of ExportEvents (`pkms audit export`).
type ExportEventsInput struct {
	// Since keeps only the events at or after this time.
	Since *Timestamp `json:"Since,omitempty"`
	// NextToken continues an export after the page that returned it.
	NextToken string `json:"NextToken,omitempty"`
}

// ExportEventsOutput is one page of ExportEvents: events oldest first, each
// its CloudTrail record as stored, and a NextToken while more follow. An
// export ends at the event that was the newest when its first page was
// read.
type ExportEventsOutput struct {
	Events    []json.RawMessage `json:"Events"`
	NextToken string            `json:"NextToken,omitempty"`
}

// PruneEventsInput is the request of PruneEvents (`pkms audit prune`).
type PruneEventsInput struct {
	// Before deletes the events older than this time.
	Before *Timestamp `json:"Before,omitempty" required:"true"`
}

// PruneEventsOutput is the answer of PruneEvents.
type PruneEventsOutput struct {
	Pruned int `json:"Pruned"`
}

// exportPageBytes bounds the records of one ExportEvents page (at least one
// record is always sent): a page crosses the agent's socket as one
// response, which the agent's client reads up to 16 MiB.
const exportPageBytes = 4 << 20

// verifyAuditTrail checks the vault's records, then the chain, then the
// anchor if one is given.
func (s *Service) verifyAuditTrail(ctx context.Context, in *VerifyAuditTrailInput) (*AuditTrailStatus, error) {
	var anchor *Anchor
	if in.Anchor != "" {
		a, err := ParseAnchor(in.Anchor)
		if err != nil {
			return nil, newErr(ValidationException, "%s", err.Error())
		}
		anchor = &a
	}
	// The vault's own check first: a record rolled back or deleted behind
	// the chain's back (a key, the head) is named there.
	if vs, ok := s.store.(storeVerifier); ok {
		if err := vs.Verify(); err != nil {
			return nil, err
		}
	}
	var st *AuditStatus
	var err error
	if anchor != nil {
		st, err = s.CheckAnchor(ctx, *anchor)
	} else {
		st, err = s.VerifyAudit(ctx)
	}
	if err != nil {
		return nil, err
	}
	return trailStatus(st), nil
}

// storeVerifier is a Store that can check every record it holds (the
// vault: VaultStore); the error names what failed.
type storeVerifier interface {
	Verify() error
}

func trailStatus(st *AuditStatus) *AuditTrailStatus {
	out := &AuditTrailStatus{Status: "OK", Events: st.Events, HeadEvent: st.Head.Seq, PrunedThrough: st.Base.Seq}
	if st.Head.Seq > 0 {
		out.HeadHash = hex.EncodeToString(st.Head.MAC)
		out.HeadTime = NewTimestamp(st.Head.Time)
		out.Anchor = Anchor{Seq: st.Head.Seq, MAC: st.Head.MAC}.String()
	}
	return out
}
