package kms

// Querying the trail the way `aws cloudtrail lookup-events` queries
// CloudTrail: one lookup attribute at most, a time range, newest events
// first, at most 50 a page, and a NextToken to go on. Export writes the
// events oldest first as JSON lines for a log pipeline.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CloudTrail's exceptions for lookup-events.
const (
	InvalidLookupAttributesException ErrorCode = "InvalidLookupAttributesException"
	InvalidTimeRangeException        ErrorCode = "InvalidTimeRangeException"
	InvalidMaxResultsException       ErrorCode = "InvalidMaxResultsException"
	InvalidNextTokenException        ErrorCode = "InvalidNextTokenException"
)

// LookupAttribute is one filter of LookupEvents.
type LookupAttribute struct {
	AttributeKey   string `json:"AttributeKey"`
	AttributeValue string `json:"AttributeValue"`
}

// LookupEventsInput is the request of LookupEvents (`pkms audit lookup-events`).
type LookupEventsInput struct {
	LookupAttributes []LookupAttribute `json:"LookupAttributes,omitempty"`
	StartTime        *Timestamp        `json:"StartTime,omitempty"`
	EndTime          *Timestamp        `json:"EndTime,omitempty"`
	MaxResults       *int32            `json:"MaxResults,omitempty"`
	NextToken        string            `json:"NextToken,omitempty"`
}

// LookupEventsOutput is the response of LookupEvents, in CloudTrail's
// member order.
type LookupEventsOutput struct {
	Events    []TrailEvent `json:"Events"`
	NextToken string       `json:"NextToken,omitempty"`
}

// TrailEvent is one event as lookup-events lists it; CloudTrailEvent is
// the whole record as a JSON string.
type TrailEvent struct {
	EventId         string          `json:"EventId"`
	EventName       string          `json:"EventName"`
	ReadOnly        string          `json:"ReadOnly"`
	AccessKeyId     string          `json:"AccessKeyId,omitempty"`
	EventTime       *Timestamp      `json:"EventTime"`
	EventSource     string          `json:"EventSource"`
	Username        string          `json:"Username"`
	Resources       []TrailResource `json:"Resources"`
	CloudTrailEvent string          `json:"CloudTrailEvent"`
}

// TrailResource is a resource of a listed event.
type TrailResource struct {
	ResourceType string `json:"ResourceType"`
	ResourceName string `json:"ResourceName"`
}

// lookupKeys are the attribute keys pkms supports.
var lookupKeys = []string{"EventId", "EventName", "ReadOnly", "Username", "ResourceName", "ResourceType", "AccessKeyId", "EventSource"}

func lookupMatch(a *LookupAttribute, ev *Event) bool {
	v := a.AttributeValue
	switch a.AttributeKey {
	case "EventId":
		return ev.EventID == v
	case "EventName":
		return ev.EventName == v
	case "ReadOnly":
		return strconv.FormatBool(ev.ReadOnly) == v
	case "Username":
		return ev.UserIdentity.UserName == v
	case "AccessKeyId":
		return ev.UserIdentity.AccessKeyID == v
	case "EventSource":
		return ev.EventSource == v
	case "ResourceType":
		return len(ev.Resources) > 0 && ev.Resources[0].Type == v
	case "ResourceName":
		for _, r := range ev.Resources {
			if r.ARN == v || keyIDOfArn(r.ARN) == v {
				return true
			}
		}
	}
	return false
}

func (in *LookupEventsInput) check() (maxResults int, from uint64, err error) {
	if len(in.LookupAttributes) > 1 {
		return 0, 0, newErr(InvalidLookupAttributesException, "You can only specify one lookup attribute.")
	}
	for _, a := range in.LookupAttributes {
		ok := false
		for _, k := range lookupKeys {
			ok = ok || a.AttributeKey == k
		}
		if !ok {
			return 0, 0, newErr(InvalidLookupAttributesException, "Invalid attribute key %q: use one of %s.", a.AttributeKey, strings.Join(lookupKeys, ", "))
		}
		if a.AttributeValue == "" {
			return 0, 0, newErr(InvalidLookupAttributesException, "The attribute value of %s must not be empty.", a.AttributeKey)
		}
	}
	if in.StartTime != nil && in.EndTime != nil && in.StartTime.After(in.EndTime.Time) {
		return 0, 0, newErr(InvalidTimeRangeException, "Start time must be less than or equal to end time.")
	}
	maxResults = 50
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return 0, 0, newErr(InvalidMaxResultsException, "MaxResults must be between 1 and 50.")
		}
		maxResults = int(*in.MaxResults)
	}
	if in.NextToken != "" {
		n, perr := strconv.ParseUint(in.NextToken, 10, 64)
		if perr != nil || n == 0 {
			return 0, 0, newErr(InvalidNextTokenException, "Invalid NextToken.")
		}
		from = n
	}
	return maxResults, from, nil
}

// LookupEvents lists events newest first.
func (s *Service) LookupEvents(ctx context.Context, in *LookupEventsInput) (*LookupEventsOutput, error) {
	max, from, err := in.check()
	if err != nil {
		return nil, err
	}
	out := &LookupEventsOutput{Events: []TrailEvent{}}
	err = s.view(ctx, func(t *txn) error {
		out.Events, out.NextToken = out.Events[:0], ""
		h, err := t.auditHead()
		if err != nil {
			return err
		}
		if from > h.Head.Seq {
			return newErr(InvalidNextTokenException, "Invalid NextToken.")
		}
		err = t.segmentsBack(h, from, func(seg *auditSegment) error {
			for i := len(seg.Events) - 1; i >= 0; i-- {
				seq := seg.First + uint64(i)
				if from != 0 && seq > from {
					continue
				}
				if len(out.Events) == max {
					out.NextToken = strconv.FormatUint(seq, 10)
					return ErrStop
				}
				raw := seg.Events[i].Event
				ev := new(Event)
				if err := json.Unmarshal(raw, ev); err != nil {
					return &ChainError{Seq: seq, Reason: "the event cannot be decoded"}
				}
				at := ev.Time()
				if in.EndTime != nil && at.After(in.EndTime.Time) {
					continue
				}
				if in.StartTime != nil && at.Before(in.StartTime.Time) {
					continue // events are in commit order: an earlier one may follow
				}
				if len(in.LookupAttributes) == 1 && !lookupMatch(&in.LookupAttributes[0], ev) {
					continue
				}
				out.Events = append(out.Events, trailEvent(raw, ev))
			}
			return nil
		})
		if errors.Is(err, ErrStop) {
			return nil // a full page
		}
		return err
	})
	return out, err
}

func trailEvent(raw []byte, ev *Event) TrailEvent {
	te := TrailEvent{EventId: ev.EventID, EventName: ev.EventName, ReadOnly: strconv.FormatBool(ev.ReadOnly),
		AccessKeyId: ev.UserIdentity.AccessKeyID, EventTime: NewTimestamp(ev.Time()), EventSource: ev.EventSource,
		Username: ev.UserIdentity.UserName, Resources: []TrailResource{}, CloudTrailEvent: string(raw)}
	for _, r := range ev.Resources {
		te.Resources = append(te.Resources, TrailResource{ResourceType: r.Type, ResourceName: r.ARN})
	}
	return te
}

// ExportAudit calls fn with every event at or after since (zero: all),
// oldest first, as its CloudTrail JSON record, page by page as
// ExportEvents reads them: up to the event that was the newest when it
// began.
func (s *Service) ExportAudit(ctx context.Context, since time.Time, fn func(record []byte) error) error {
	token := ""
	for {
		page, err := s.exportPage(ctx, since, token, exportPageBytes)
		if err != nil {
			return err
		}
		for _, rec := range page.Events {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if page.NextToken == "" {
			return nil
		}
		token = page.NextToken
	}
}

// exportCursor is where an export goes on: the segment holding its next
// event, that event's place in the segment, and the export's last event
// (the head when its first page was read, so that the events of its own
// pages are not part of it). Its text is the NextToken.
type exportCursor struct {
	segment uint64
	index   int
	through uint64
}

func (c exportCursor) String() string { return fmt.Sprintf("%d.%d.%d", c.segment, c.index, c.through) }

func parseExportCursor(s string) (exportCursor, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return exportCursor{}, false
	}
	seg, err1 := strconv.ParseUint(parts[0], 10, 64)
	idx, err2 := strconv.Atoi(parts[1])
	through, err3 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || seg == 0 || idx < 0 || seg > through {
		return exportCursor{}, false
	}
	return exportCursor{segment: seg, index: idx, through: through}, true
}

// exportPage reads one page of an export in one read transaction: the
// events at or after since, oldest first, from the cursor token ("": the
// first page), until their records reach limit bytes.
func (s *Service) exportPage(ctx context.Context, since time.Time, token string, limit int) (*ExportEventsOutput, error) {
	out := &ExportEventsOutput{Events: []json.RawMessage{}}
	err := s.view(ctx, func(t *txn) error {
		out.Events, out.NextToken = out.Events[:0], ""
		h, err := t.auditHead()
		if err != nil {
			return err
		}
		cur := exportCursor{segment: h.Base.Seq + 1, through: h.Head.Seq}
		if token != "" {
			c, ok := parseExportCursor(token)
			if !ok || c.through > h.Head.Seq {
				return newErr(InvalidNextTokenException, "Invalid NextToken.")
			}
			if c.segment <= h.Base.Seq {
				return newErr(InvalidNextTokenException, "The events after this NextToken were pruned.")
			}
			cur = c
		}
		size := 0
		for seq := cur.segment; seq <= cur.through; {
			seg, err := t.readSegment(seq)
			if err != nil {
				var ce *ChainError
				if token != "" && seq == cur.segment && errors.As(err, &ce) {
					return newErr(InvalidNextTokenException, "Invalid NextToken.") // no segment starts there
				}
				return err
			}
			first := 0
			if seq == cur.segment {
				first = cur.index
				if token != "" && (seg.First != seq || first >= len(seg.Events)) {
					return newErr(InvalidNextTokenException, "Invalid NextToken.")
				}
			}
			for i := first; i < len(seg.Events) && seq+uint64(i) <= cur.through; i++ {
				raw := seg.Events[i].Event
				if size > 0 && size+len(raw) > limit {
					out.NextToken = exportCursor{segment: seq, index: i, through: cur.through}.String()
					return nil
				}
				var ev Event
				if err := json.Unmarshal(raw, &ev); err != nil {
					return &ChainError{Seq: seq + uint64(i), Reason: "the event cannot be decoded"}
				}
				if !since.IsZero() && ev.Time().Before(since) {
					continue
				}
				out.Events = append(out.Events, raw)
				size += len(raw)
			}
			seq += uint64(len(seg.Events))
		}
		return nil
	})
	return out, err
}
