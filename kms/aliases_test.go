package kms

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCreateAliasNameRules(t *testing.T) {
	long := "alias/" + strings.Repeat("a", 251) // 257 characters
	tests := []struct {
		name string
		code ErrorCode // "" = accepted
		msg  string    // "" = not checked
	}{
		{"alias/app", "", ""},
		{"alias/App-1_x/y", "", ""},
		{"alias/" + strings.Repeat("a", 250), "", ""}, // 256 characters
		{"app", ValidationException, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"Alias/app", ValidationException, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"alias/Service:Test", ValidationException, "alias/Service:Test contains invalid characters for an alias"},
		{"alias/aws/s3", InvalidAliasNameException, ""},
		{"alias/bad name!", ValidationException, validationMsg("Value 'alias/bad name!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")},
		{"alias/é", ValidationException, validationMsg("Value 'alias/é' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")},
		{long, ValidationException, validationMsg("Value '%s' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256", long)},
		{"", ValidationException, validationMsg("Value '' at 'aliasName' failed to satisfy constraint: Member must have length greater than or equal to 1")},
	}
	for _, tt := range tests {
		e := newEnv(t)
		id := e.newKey()
		_, err := e.call("CreateAlias", &CreateAliasInput{AliasName: tt.name, TargetKeyId: id})
		switch {
		case tt.code == "":
			if err != nil {
				t.Errorf("%q: %v", tt.name, err)
			} else if names := e.aliasNames(""); !slices.Equal(names, []string{tt.name}) {
				t.Errorf("%q: ListAliases %v", tt.name, names)
			}
		case tt.msg == "":
			wantCode(t, err, tt.code)
		default:
			wantErr(t, err, tt.code, tt.msg)
		}
		if tt.code != "" && len(e.listAliases("")) != 0 {
			t.Errorf("%q: a rejected alias was created", tt.name)
		}
	}
}

func TestCreateAliasAlreadyExists(t *testing.T) {
	e := newEnv(t)
	a, b := e.newKey(), e.newKey()
	e.createAlias("alias/app", a)
	for _, target := range []string{a, b} {
		_, err := e.call("CreateAlias", &CreateAliasInput{AliasName: "alias/app", TargetKeyId: target})
		wantErr(t, err, AlreadyExistsException, "An alias with the name arn:aws:kms:us-east-1:111122223333:alias/app already exists")
	}
	// Alias names are case-sensitive.
	e.createAlias("alias/APP", b)
}

func TestCreateAliasTargetMustBeAKey(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	e.createAlias("alias/first", id)
	for _, target := range []string{"alias/first", e.aliasArn("alias/first")} {
		_, err := e.call("CreateAlias", &CreateAliasInput{AliasName: "alias/second", TargetKeyId: target})
		if err == nil {
			t.Errorf("CreateAlias with target %s succeeded", target)
		}
	}
	if names := e.aliasNames(""); !slices.Equal(names, []string{"alias/first"}) {
		t.Errorf("aliases %v", names)
	}
	// Key id and key ARN are fine; an unknown key is not.
	e.createAlias("alias/by-arn", e.keyArn(id))
	const unknown = "0000aaaa-00aa-40aa-80aa-000000000000"
	_, err := e.call("CreateAlias", &CreateAliasInput{AliasName: "alias/x", TargetKeyId: unknown})
	wantErr(t, err, NotFoundException, "Key '"+e.keyArn(unknown)+"' does not exist")
}

func TestCreateAliasLimitPerKey(t *testing.T) {
	e := newEnv(t)
	id, other := e.newKey(), e.newKey()
	for i := range 50 {
		e.createAlias(fmt.Sprintf("alias/a%02d", i), id)
	}
	_, err := e.call("CreateAlias", &CreateAliasInput{AliasName: "alias/a50", TargetKeyId: id})
	wantCode(t, err, LimitExceededException)
	e.createAlias("alias/a50", other) // the quota is per key
	if n := len(e.listAliases(id)); n != 50 {
		t.Errorf("%d aliases on the key, want 50", n)
	}
	// Deleting one frees a slot.
	invokeOK[DeleteAliasOutput](e, "DeleteAlias", &DeleteAliasInput{AliasName: "alias/a00"})
	e.createAlias("alias/a51", id)
}

func TestUpdateAlias(t *testing.T) {
	e := newEnv(t)
	a, b := e.newKey(), e.newKey()
	created := e.clock.Now()
	e.createAlias("alias/app", a)
	e.clock.Advance(time.Hour)
	updated := e.clock.Now()
	invokeOK[UpdateAliasOutput](e, "UpdateAlias", &UpdateAliasInput{AliasName: "alias/app", TargetKeyId: e.keyArn(b)})
	got := e.listAliases("")
	if len(got) != 1 || got[0].TargetKeyId != b || !got[0].CreationDate.Equal(created) || !got[0].LastUpdatedDate.Equal(updated) {
		t.Fatalf("after UpdateAlias: %+v", got)
	}
	if arn := e.encrypt("alias/app", []byte("x"), nil).KeyId; arn != e.keyArn(b) {
		t.Errorf("Encrypt with the alias used %s, want %s", arn, e.keyArn(b))
	}
	_, err := e.call("UpdateAlias", &UpdateAliasInput{AliasName: "alias/nope", TargetKeyId: b})
	wantErr(t, err, NotFoundException, "Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found.")
	_, err = e.call("UpdateAlias", &UpdateAliasInput{AliasName: "alias/app", TargetKeyId: "alias/app"})
	if err == nil {
		t.Error("UpdateAlias to an alias succeeded")
	}
}

// TestUpdateAliasPendingDeletion: footnote [10] of the key-state table.
func TestUpdateAliasPendingDeletion(t *testing.T) {
	e := newEnv(t)
	a, b := e.newKey(), e.newKey()
	e.createAlias("alias/app", a)
	e.putState(b, KeyStatePendingDeletion)
	_, err := e.call("UpdateAlias", &UpdateAliasInput{AliasName: "alias/app", TargetKeyId: b})
	wantErr(t, err, KMSInvalidStateException, e.keyArn(b)+" is pending deletion.")

	// From a key pending deletion to a usable key: allowed.
	c := e.newKey()
	e.putState(a, KeyStatePendingDeletion)
	invokeOK[UpdateAliasOutput](e, "UpdateAlias", &UpdateAliasInput{AliasName: "alias/app", TargetKeyId: c})
	if got := e.listAliases(c); len(got) != 1 || got[0].AliasName != "alias/app" {
		t.Errorf("aliases of the new target: %+v", got)
	}
}

func TestDeleteAlias(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	e.createAlias("alias/app", id)
	e.createAlias("alias/other", id)
	invokeOK[DeleteAliasOutput](e, "DeleteAlias", &DeleteAliasInput{AliasName: "alias/app"})
	if names := e.aliasNames(""); !slices.Equal(names, []string{"alias/other"}) {
		t.Errorf("aliases %v", names)
	}
	if m := e.describe(id); m.KeyState != KeyStateEnabled {
		t.Errorf("the key is %s after deleting its alias", m.KeyState)
	}
	for _, name := range []string{"alias/app", "alias/x"} {
		_, err := e.call("DeleteAlias", &DeleteAliasInput{AliasName: name})
		wantErr(t, err, NotFoundException, "Alias arn:aws:kms:us-east-1:111122223333:"+name+" is not found.")
	}
	_, err := e.call("DescribeKey", &DescribeKeyInput{KeyId: "alias/app"})
	wantErr(t, err, NotFoundException, "Alias arn:aws:kms:us-east-1:111122223333:alias/app is not found.")
}

func TestListAliasesFilterAndPagination(t *testing.T) {
	e := newEnv(t)
	a, b := e.newKey(), e.newKey()
	// Interleave the names so that the filter has to skip records.
	e.createAlias("alias/1", a)
	e.createAlias("alias/2", b)
	e.createAlias("alias/3", a)
	e.createAlias("alias/4", b)
	e.createAlias("alias/5", a)

	for _, tt := range []struct {
		keyID string
		want  []string
	}{
		{"", []string{"alias/1", "alias/2", "alias/3", "alias/4", "alias/5"}},
		{a, []string{"alias/1", "alias/3", "alias/5"}},
		{e.keyArn(a), []string{"alias/1", "alias/3", "alias/5"}},
		{b, []string{"alias/2", "alias/4"}},
	} {
		pages := paginate(t, 1, func(marker string) ([]AliasListEntry, string, bool, error) {
			out, err := e.call("ListAliases", &ListAliasesInput{KeyId: tt.keyID, Limit: ptr(int32(1)), Marker: marker})
			if err != nil {
				return nil, "", false, err
			}
			o := out.(*ListAliasesOutput)
			return o.Aliases, o.NextMarker, deref(o.Truncated), nil
		})
		var got []string
		for _, p := range pages {
			for _, al := range p {
				got = append(got, al.AliasName)
				if al.AliasArn != e.aliasArn(al.AliasName) || al.CreationDate == nil || al.LastUpdatedDate == nil {
					t.Errorf("entry %+v", al)
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) || len(pages) != len(tt.want) {
			t.Errorf("KeyId %q: %d pages with %v, want %v one a page", tt.keyID, len(pages), got, tt.want)
		}
	}
	const unknown = "0000aaaa-00aa-40aa-80aa-000000000000"
	_, err := e.call("ListAliases", &ListAliasesInput{KeyId: unknown})
	wantErr(t, err, NotFoundException, "Key '"+e.keyArn(unknown)+"' does not exist")
	_, err = e.call("ListAliases", &ListAliasesInput{Marker: "not-a-marker"})
	wantCode(t, err, InvalidMarkerException)
	// A key without aliases lists none.
	c := e.newKey()
	out := invokeOK[ListAliasesOutput](e, "ListAliases", &ListAliasesInput{KeyId: c})
	if len(out.Aliases) != 0 || deref(out.Truncated) {
		t.Errorf("aliases of a key without aliases: %+v", out)
	}
}

func TestAliasDates(t *testing.T) {
	e := newEnv(t)
	id := e.newKey()
	e.clock.Advance(90 * time.Minute)
	at := e.clock.Now()
	e.createAlias("alias/app", id)
	got := e.listAliases(id)
	if len(got) != 1 || got[0].TargetKeyId != id || !got[0].CreationDate.Equal(at) || !got[0].LastUpdatedDate.Equal(at) {
		t.Errorf("got %+v, want CreationDate = LastUpdatedDate = %v", got, at)
	}
}
