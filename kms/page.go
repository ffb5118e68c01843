package kms

import "errors"

// limit applies an operation's default and maximum page size. The model's
// own range (1–1000) is checked by Validate; some operations cap lower.
func limit(l *int32, def, max int) int {
	if l == nil {
		return def
	}
	if int(*l) > max {
		return max
	}
	return int(*l)
}

// pageOf walks a bucket from marker and collects up to n items that match
// accepts. It reports the marker to resume from and whether any further
// record matches (AWS's Truncated), so the last page is never an empty one.
func pageOf[T any](t *txn, bucket, marker string, n int, match func(v []byte) (T, bool, error)) (items []T, next string, truncated bool, err error) {
	items = []T{}
	var last string
	err = t.ForEach(bucket, marker, func(m string, v []byte) error {
		item, ok, err := match(v)
		if err != nil || !ok {
			return err
		}
		if len(items) == n {
			truncated = true
			return ErrStop
		}
		items = append(items, item)
		last = m
		return nil
	})
	if errors.Is(err, ErrInvalidMarker) {
		return nil, "", false, errInvalidMarker(marker)
	}
	if truncated {
		next = last
	}
	return items, next, truncated, err
}

// errInvalidMarker is AWS's answer to a marker it did not hand out.
func errInvalidMarker(marker string) error {
	return newErr(InvalidMarkerException, "Invalid marker: %s", marker)
}
