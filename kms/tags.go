package kms

import (
	"context"
	"strconv"
	"strings"
)

func init() {
	implement("TagResource", (*Service).TagResource, writes, keyStates(rowNoDelete))
	implement("UntagResource", (*Service).UntagResource, writes, keyStates(rowNoDelete))
	implement("ListResourceTags", (*Service).ListResourceTags, readOnly, keyStates(rowAlways))
}

// maxTags is AWS's limit of user tags per key.
const maxTags = 50

func reservedTagKey(k string) bool { return strings.HasPrefix(strings.ToLower(k), "aws:") }

var errReservedTag = &Error{Code: TagException, Message: "Tags beginning with aws: are reserved"}

// validateTags applies the rules AWS checks on tags in a request (lengths
// are checked by Validate): no reserved aws: prefix, no key twice.
func validateTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, tg := range tags {
		if reservedTagKey(tg.TagKey) {
			return errReservedTag
		}
		if seen[tg.TagKey] {
			return newErr(TagException, "Duplicate tag keys")
		}
		seen[tg.TagKey] = true
	}
	if len(tags) > maxTags {
		return newErr(TagException, "Too many tags")
	}
	return nil
}

// mergeTags sets each tag in add on tags, replacing the value of an
// existing key (TagResource semantics), keeping first-set order.
func mergeTags(tags, add []Tag) []Tag {
	for _, a := range add {
		replaced := false
		for i := range tags {
			if tags[i].TagKey == a.TagKey {
				tags[i].TagValue = a.TagValue
				replaced = true
			}
		}
		if !replaced {
			tags = append(tags, a)
		}
	}
	return tags
}

// TagResource adds or overwrites tags on a key.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, s.update(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("TagResource", k); err != nil {
			return err
		}
		tags := mergeTags(append([]Tag(nil), k.Tags...), in.Tags)
		if len(tags) > maxTags {
			return newErr(LimitExceededException, "A KMS key can have at most %d tags", maxTags)
		}
		k.Tags = tags
		return t.saveKey(k)
	})
}

// UntagResource removes tags by key; keys the key does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	for _, key := range in.TagKeys {
		if reservedTagKey(key) {
			return nil, errReservedTag
		}
	}
	return &UntagResourceOutput{}, s.update(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("UntagResource", k); err != nil {
			return err
		}
		kept := k.Tags[:0]
		for _, tg := range k.Tags {
			if !contains(in.TagKeys, tg.TagKey) {
				kept = append(kept, tg)
			}
		}
		k.Tags = kept
		return t.saveKey(k)
	})
}

// ListResourceTags lists a key's tags, at most 50 a page. The marker is the
// index of the next tag.
func (s *Service) ListResourceTags(ctx context.Context, in *ListResourceTagsInput) (*ListResourceTagsOutput, error) {
	start := 0
	if in.Marker != "" {
		n, err := strconv.Atoi(in.Marker)
		if err != nil || n < 0 {
			return nil, newErr(InvalidMarkerException, "Invalid marker: %s", in.Marker)
		}
		start = n
	}
	var out *ListResourceTagsOutput
	err := s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if start > len(k.Tags) {
			return newErr(InvalidMarkerException, "Invalid marker: %s", in.Marker)
		}
		end := min(start+limit(in.Limit, maxTags, maxTags), len(k.Tags))
		out = &ListResourceTagsOutput{Tags: append([]Tag{}, k.Tags[start:end]...), Truncated: ptr(end < len(k.Tags))}
		if end < len(k.Tags) {
			out.NextMarker = strconv.Itoa(end)
		}
		return nil
	})
	return out, err
}
