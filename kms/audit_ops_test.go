package kms

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The audit operations are pkms's own and agent-only: reachable in-process
// and on the agent's socket, never listed for a client of pkms serve, and
// recorded as pkms events with the access each states.
func TestAuditOperationsRegistry(t *testing.T) {
	listed := map[string]bool{}
	for _, op := range Operations() {
		listed[op.Name] = true
	}
	tests := []struct {
		name     string
		readOnly bool
	}{
		{"VerifyAuditTrail", true},
		{"GetAuditAnchor", true},
		{"LookupEvents", true},
		{"ExportEvents", true},
		{"PruneEvents", false},
	}
	for _, tt := range tests {
		op, ok := LookupOperation(tt.name)
		if !ok || !op.Implemented {
			t.Errorf("%s is not an implemented operation", tt.name)
			continue
		}
		if !op.AgentOnly || !op.PkmsOnly || listed[tt.name] || op.ReadOnly != tt.readOnly || !op.keyless {
			t.Errorf("%s: AgentOnly %v PkmsOnly %v listed %v ReadOnly %v keyless %v", tt.name, op.AgentOnly, op.PkmsOnly, listed[tt.name], op.ReadOnly, op.keyless)
		}
	}
}

// Through Invoke on a long-lived server's service (group commit), a query
// sees the calls answered just before it: their queued events are
// committed first. Each query is one pkms event with the parameters pkms
// audit recorded before it went through Invoke.
func TestAuditOperationsSeeQueuedEvents(t *testing.T) {
	e := newEnv(t) // group commit, as the agent
	key := e.newKey()
	e.encrypt(key, []byte("p"), nil)
	look := invokeOK[LookupEventsOutput](e, "LookupEvents", &LookupEventsInput{MaxResults: ptr[int32](1)})
	if len(look.Events) != 1 || look.Events[0].EventName != "Encrypt" {
		t.Fatalf("the newest event is %+v, want the Encrypt just answered", look.Events)
	}
	e.encrypt(key, []byte("p"), nil)
	exp := invokeOK[ExportEventsOutput](e, "ExportEvents", &ExportEventsInput{})
	var last Event
	if err := json.Unmarshal(exp.Events[len(exp.Events)-1], &last); err != nil || last.EventName != "Encrypt" {
		t.Fatalf("the export ends with %s (%v), want the Encrypt just answered", last.EventName, err)
	}
	e.encrypt(key, []byte("p"), nil)
	st := invokeOK[AuditTrailStatus](e, "GetAuditAnchor", &GetAuditAnchorInput{})
	evs, _ := auditEvents(t, e)
	// The anchor's head is the last Encrypt: the one before the anchor's own event.
	if evs[st.HeadEvent-1].EventName != "Encrypt" || int(st.HeadEvent) != len(evs)-1 {
		t.Fatalf("anchor head %d of %d events (%s), want the Encrypt before it", st.HeadEvent, len(evs), evs[st.HeadEvent-1].EventName)
	}
	// A failed call queued before a prune is pruned with the rest.
	_, err := e.svc.Invoke(e.ctx, "Encrypt", &EncryptInput{KeyId: "alias/none", Plaintext: []byte("p")})
	wantCode(t, err, NotFoundException)
	e.clock.Advance(time.Hour)
	pr := invokeOK[PruneEventsOutput](e, "PruneEvents", &PruneEventsInput{Before: NewTimestamp(e.clock.Now())})
	if pr.Pruned != len(evs)+1 {
		t.Fatalf("pruned %d, want every event before it (%d)", pr.Pruned, len(evs)+1)
	}
	if ver := invokeOK[AuditTrailStatus](e, "VerifyAuditTrail", &VerifyAuditTrailInput{}); ver.Events != 1 || ver.Status != "OK" {
		t.Fatalf("after the prune: %+v, want only the prune's event", ver)
	}

	evs, _ = auditEvents(t, e)
	wantParams := map[string]map[string]any{
		"PruneEvents":      {"before": e.clock.Now().UTC().Format(time.RFC3339)},
		"VerifyAuditTrail": nil,
	}
	if len(evs) != 2 {
		t.Fatalf("%d events after the prune, want 2", len(evs))
	}
	for _, ev := range evs {
		if ev.EventSource != EventSourcePkms || !reflect.DeepEqual(ev.RequestParameters, wantParams[ev.EventName]) {
			t.Errorf("%s: source %s, parameters %v, want pkms, %v", ev.EventName, ev.EventSource, ev.RequestParameters, wantParams[ev.EventName])
		}
	}
	invokeOK[LookupEventsOutput](e, "LookupEvents", &LookupEventsInput{LookupAttributes: []LookupAttribute{{AttributeKey: "EventName", AttributeValue: "Encrypt"}}})
	got := lastEvent(t, e).RequestParameters
	want := map[string]any{"lookupAttributes": []any{map[string]any{"attributeKey": "EventName", "attributeValue": "Encrypt"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("LookupEvents recorded %v, want %v", got, want)
	}
}

// The inputs are checked as every operation's are: a bad anchor or a
// prune without a time is a ValidationException, a broken chain the
// *ChainError that names the event.
func TestAuditOperationErrors(t *testing.T) {
	e := newEnv(t)
	e.newKey()
	tests := []struct {
		name string
		op   string
		in   any
		code ErrorCode
	}{
		{"bad anchor", "VerifyAuditTrail", &VerifyAuditTrailInput{Anchor: "not-an-anchor"}, ValidationException},
		{"prune without a time", "PruneEvents", &PruneEventsInput{}, ValidationException},
		{"lookup with two attributes", "LookupEvents", &LookupEventsInput{LookupAttributes: []LookupAttribute{{"EventName", "a"}, {"EventName", "b"}}}, InvalidLookupAttributesException},
		{"export with a bad token", "ExportEvents", &ExportEventsInput{NextToken: "x"}, InvalidNextTokenException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Invoke(e.ctx, tt.op, tt.in)
			wantCode(t, err, tt.code)
		})
	}
	// An anchor past the head: the vault went back.
	st := invokeOK[AuditTrailStatus](e, "GetAuditAnchor", &GetAuditAnchorInput{})
	a, err := ParseAnchor(st.Anchor)
	if err != nil {
		t.Fatal(err)
	}
	a.Seq += 100
	_, err = e.svc.Invoke(e.ctx, "VerifyAuditTrail", &VerifyAuditTrailInput{Anchor: a.String()})
	var ce *ChainError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "gone back") {
		t.Fatalf("VerifyAuditTrail past the head = %v, want a ChainError", err)
	}
}

// ExportEvents pages: the pages, joined, are the whole trail up to the
// event that was newest at the first page (not the events the paging
// itself recorded); each page but the last holds at least one event and
// stays within the limit unless one event alone exceeds it; tokens that
// do not name a place of this export are refused.
func TestExportEventsPages(t *testing.T) {
	e := newEnv(t, withoutGroupCommit())
	key := e.newKey()
	for i := range 20 {
		e.encrypt(key, []byte("p"), map[string]string{"n": strings.Repeat("x", i*10)})
	}
	_, all := auditEvents(t, e)
	for _, limit := range []int{1, 700, 3000, exportPageBytes} {
		var got [][]byte
		token, pages := "", 0
		for {
			page, err := e.svc.exportPage(e.ctx, time.Time{}, token, limit)
			if err != nil {
				t.Fatalf("limit %d, token %q: %v", limit, token, err)
			}
			size := 0
			for _, r := range page.Events {
				size += len(r)
			}
			if len(page.Events) == 0 || len(page.Events) > 1 && size > limit {
				t.Fatalf("limit %d: a page of %d events, %d bytes", limit, len(page.Events), size)
			}
			for _, r := range page.Events {
				got = append(got, bytes.Clone(r))
			}
			pages++
			// An event recorded between pages is not part of this export.
			invokeOK[ListKeysOutput](e, "ListKeys", &ListKeysInput{})
			if page.NextToken == "" {
				break
			}
			token = page.NextToken
		}
		if !slices.EqualFunc(got, all, bytes.Equal) {
			t.Fatalf("limit %d: %d pages gave %d events, want the %d of the trail", limit, pages, len(got), len(all))
		}
		if limit == 1 && pages != len(all) || limit == exportPageBytes && pages != 1 {
			t.Fatalf("limit %d: %d pages for %d events", limit, pages, len(all))
		}
		_, all = auditEvents(t, e)
	}
	for _, tok := range []string{"1", "1.0", "0.0.5", "1.0.999999", "1.99.5", "1.-1.5", "a.b.c", "5.0.3"} {
		_, err := e.svc.exportPage(e.ctx, time.Time{}, tok, 1)
		wantCode(t, err, InvalidNextTokenException)
	}
	// Since: only the later events, in every page.
	e.clock.Advance(time.Hour)
	e.encrypt(key, []byte("p"), nil)
	page, err := e.svc.exportPage(e.ctx, e.clock.Now().Add(-time.Minute), "", exportPageBytes)
	if err != nil || len(page.Events) != 1 || page.NextToken != "" {
		t.Fatalf("since the last hour: %d events, %q, %v", len(page.Events), page.NextToken, err)
	}
	// A token into events pruned since is refused, not misread as a break.
	first, err := e.svc.exportPage(e.ctx, time.Time{}, "", 1)
	if err != nil || first.NextToken == "" {
		t.Fatal(first, err)
	}
	if _, err := e.svc.PruneAudit(e.ctx, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.exportPage(e.ctx, time.Time{}, first.NextToken, 1)
	wantCode(t, err, InvalidNextTokenException)
}
