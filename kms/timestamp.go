package kms

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Timestamp is a point in time as the KMS JSON protocol carries it: epoch
// seconds as a JSON number with millisecond precision (1763796691.242). It
// also accepts an ISO 8601 string on input, as the CLI does for
// --valid-to.
type Timestamp struct{ time.Time }

// NewTimestamp returns t truncated to the millisecond precision KMS uses.
func NewTimestamp(t time.Time) *Timestamp {
	return &Timestamp{t.Truncate(time.Millisecond)}
}

// MarshalJSON writes epoch seconds with at most three decimals.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	s := strconv.FormatInt(ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		if frac < 0 {
			frac = -frac
		}
		s += "." + string(bytes.TrimRight([]byte(fmt.Sprintf("%03d", frac)), "0"))
	}
	return []byte(s), nil
}

// UnmarshalJSON accepts epoch seconds (number) or an ISO 8601 / RFC 3339 string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return err
		}
		v, err := ParseTimestamp(s)
		if err != nil {
			return err
		}
		*t = v
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("invalid timestamp %s", b)
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC()
	return nil
}

// ParseTimestamp parses the forms the AWS CLI accepts for a timestamp
// parameter: epoch seconds, or ISO 8601 with or without a zone (UTC assumed).
func ParseTimestamp(s string) (Timestamp, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		sec, frac := math.Modf(f)
		return Timestamp{time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC()}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if v, err := time.Parse(layout, s); err == nil {
			return Timestamp{v.UTC()}, nil
		}
	}
	return Timestamp{}, fmt.Errorf("invalid timestamp %q: use ISO 8601 (2026-01-02T15:04:05Z) or epoch seconds", s)
}
