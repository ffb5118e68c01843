package kms

import (
	"encoding/json"
	"testing"
)

// AWS answers an empty list result with the member present and [] (for
// example {"Keys": [], "Truncated": false}); a client indexing the member
// must never find it missing or null.
func TestEmptyListsAreSent(t *testing.T) {
	e := newEnv(t)
	id := e.newKey() // no tags, no aliases
	tests := []struct {
		name, op string
		in       any
		want     string
	}{
		{"list-aliases of a key without aliases", "ListAliases", &ListAliasesInput{KeyId: id}, `{"Aliases":[],"Truncated":false}`},
		{"list-resource-tags of an untagged key", "ListResourceTags", &ListResourceTagsInput{KeyId: id}, `{"Tags":[],"Truncated":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.call(tt.op, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(out)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
		})
	}
}

func TestEmptyListKeys(t *testing.T) {
	e := newEnv(t)
	out, err := e.call("ListKeys", &ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	if want := `{"Keys":[],"Truncated":false}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// fillLists reaches lists nested in structures and leaves the lists AWS
// omits when empty (KeyMetadata's algorithm lists) alone.
func TestFillListsNested(t *testing.T) {
	out := &DescribeKeyOutput{KeyMetadata: &KeyMetadata{KeyId: "k", MultiRegionConfiguration: &MultiRegionConfiguration{MultiRegionKeyType: "PRIMARY"}}}
	fillLists(out)
	md := out.KeyMetadata
	if md.MultiRegionConfiguration.ReplicaKeys == nil {
		t.Error("ReplicaKeys left nil")
	}
	if md.SigningAlgorithms != nil || md.EncryptionAlgorithms != nil || md.MacAlgorithms != nil || md.KeyAgreementAlgorithms != nil {
		t.Error("an algorithm list AWS omits when empty was filled")
	}
	grants := &ListGrantsOutput{Grants: []GrantListEntry{{GrantId: "g"}}}
	fillLists(grants)
	if grants.Grants[0].Operations == nil {
		t.Error("GrantListEntry.Operations left nil")
	}
	fillLists(nil) // no panic on nothing
}
