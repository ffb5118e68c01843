package kms

// The stored JSON of an event is written by hand: every call of the agent
// and pkms serve makes one, and encoding/json's reflection over the event
// and its map of request parameters cost more than the Encrypt it
// records. The output is byte for byte what json.Marshal writes for the
// same Event (a test holds the two together), so the trail reads the same
// whichever wrote it.

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendEvent appends ev's JSON, as json.Marshal(ev) would write it.
func appendEvent(b []byte, ev *Event) ([]byte, error) {
	b = append(b, `{"eventVersion":`...)
	b = appendJSONString(b, ev.EventVersion)
	b = append(b, `,"userIdentity":{"type":`...)
	id := &ev.UserIdentity
	b = appendJSONString(b, id.Type)
	b = append(b, `,"principalId":`...)
	b = appendJSONString(b, id.PrincipalID)
	b = appendOptString(b, `,"accountId":`, id.AccountID)
	b = appendOptString(b, `,"accessKeyId":`, id.AccessKeyID)
	b = append(b, `,"userName":`...)
	b = appendJSONString(b, id.UserName)
	b = append(b, `},"eventTime":`...)
	b = appendJSONString(b, ev.EventTime)
	b = append(b, `,"eventSource":`...)
	b = appendJSONString(b, ev.EventSource)
	b = append(b, `,"eventName":`...)
	b = appendJSONString(b, ev.EventName)
	b = append(b, `,"awsRegion":`...)
	b = appendJSONString(b, ev.AwsRegion)
	b = appendOptString(b, `,"sourceIPAddress":`, ev.SourceIPAddress)
	b = appendOptString(b, `,"userAgent":`, ev.UserAgent)
	b = appendOptString(b, `,"errorCode":`, ev.ErrorCode)
	b = appendOptString(b, `,"errorMessage":`, ev.ErrorMessage)
	var err error
	b = append(b, `,"requestParameters":`...)
	if b, err = appendAuditValue(b, ev.RequestParameters); err != nil {
		return nil, err
	}
	b = append(b, `,"responseElements":`...)
	if b, err = appendAuditValue(b, ev.ResponseElements); err != nil {
		return nil, err
	}
	b = append(b, `,"requestID":`...)
	b = appendJSONString(b, ev.RequestID)
	b = append(b, `,"eventID":`...)
	b = appendJSONString(b, ev.EventID)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, ev.ReadOnly)
	if len(ev.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i, r := range ev.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"accountId":`...)
			b = appendJSONString(b, r.AccountID)
			b = append(b, `,"type":`...)
			b = appendJSONString(b, r.Type)
			b = append(b, `,"ARN":`...)
			b = appendJSONString(b, r.ARN)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"eventType":`...)
	b = appendJSONString(b, ev.EventType)
	b = append(b, `,"managementEvent":`...)
	b = strconv.AppendBool(b, ev.ManagementEvent)
	b = append(b, `,"recipientAccountId":`...)
	b = appendJSONString(b, ev.RecipientAccountID)
	b = append(b, `,"eventCategory":`...)
	b = appendJSONString(b, ev.EventCategory)
	return append(b, '}'), nil
}

// appendOptString is an omitempty string member.
func appendOptString(b []byte, member, v string) []byte {
	if v == "" {
		return b
	}
	return appendJSONString(append(b, member...), v)
}

// appendAuditValue appends one value of the shapes requestParameters and
// responseElements hold (auditValue's: maps with sorted keys, lists,
// strings, booleans, integers); anything else goes to encoding/json.
func appendAuditValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendJSONString(b, k), ':')
			var err error
			if b, err = appendAuditValue(b, v[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendAuditValue(b, x); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, raw...), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string escaped as encoding/json
// escapes it: quotes, backslashes and control characters; <, > and & as
// \u escapes; U+2028 and U+2029; invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
