package kms

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"
)

// The hand-written event JSON must be exactly encoding/json's.
func TestAppendEventMatchesEncodingJSON(t *testing.T) {
	full := Event{
		EventVersion: eventVersion, EventTime: "2026-12-05T23:53:35Z", EventSource: EventSourceKMS, EventName: "Encrypt",
		AwsRegion: "eu-west-1", SourceIPAddress: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.0 <&>", ErrorCode: "NotFoundException",
		ErrorMessage: "Key 'x' does not exist\n\t\"quoted\" \\ \u2028\u2029 \x01\x1f\b\f\r é 日本",
		UserIdentity: Identity{Type: "AccessKey", PrincipalID: "PKIA1", AccountID: "111122223333", AccessKeyID: "PKIA1", UserName: "PKIA1"},
		RequestParameters: map[string]any{
			"keyId": "alias/x", "encryptionContext": map[string]any{"b": "2", "a": "1", "<": "&"},
			"grantTokens": nil, "numberOfBytes": int64(32), "dryRun": false, "operations": []any{"Encrypt", "Decrypt"},
			"tags": []any{map[string]any{"tagKey": "k", "tagValue": "v"}}, "limit": 7, "other": 1.5,
		},
		ResponseElements: map[string]any{"keyId": "arn:aws:kms:eu-west-1:111122223333:key/x"},
		RequestID:        "r", EventID: "e", ReadOnly: true,
		Resources: []EventResource{{AccountID: "111122223333", Type: "AWS::KMS::Key", ARN: "arn:a"}, {Type: "t", ARN: "b"}},
		EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: "111122223333", EventCategory: "Management",
	}
	tests := []struct {
		name string
		ev   Event
	}{
		{"every member", full},
		{"zero", Event{}},
		{"no parameters, no resources", Event{EventName: "ListKeys", UserIdentity: Identity{Type: "LocalUser", PrincipalID: "0", UserName: "root"}}},
		{"empty maps and lists", Event{RequestParameters: map[string]any{}, ResponseElements: map[string]any{"l": []any{}}, Resources: []EventResource{}}},
		{"invalid UTF-8", Event{EventName: "a\xffb\xc3", ErrorMessage: "\xed\xa0\x80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(&tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := appendEvent(nil, &tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("appendEvent:\n%s\njson.Marshal:\n%s", got, want)
			}
		})
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href='x'>&amp;</a>", "\x00\x7f\u2028\u2029\ufffd", "\xff\xfe", "é\"\\/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// Request and event ids are random (version 4) UUIDs in their printed form.
func TestNewRequestID(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if !uuid.MatchString(id) {
			t.Fatalf("NewRequestID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewRequestID() repeated %q", id)
		}
		seen[id] = true
	}
}
