package kms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

func init() {
	implement("GetKeyPolicy", (*Service).GetKeyPolicy, readOnly, keyStates(rowAlways))
	implement("PutKeyPolicy", (*Service).PutKeyPolicy, writes, keyStates(rowAlways))
	implement("ListKeyPolicies", (*Service).ListKeyPolicies, readOnly, keyStates(rowAlways))
}

// Key policies are stored and validated as AWS validates them (JSON, size,
// required elements, the lockout safety check) but not evaluated: a vault
// has one user, so there is no principal to deny.

const (
	defaultPolicyName = "default"
	maxPolicyBytes    = 32768 // AWS quota, not adjustable
)

// defaultKeyPolicy is the policy AWS attaches to a key created through the
// API without one, byte for byte as GetKeyPolicy returns it.
func defaultKeyPolicy(account string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

func malformedPolicy(format string, args ...any) error {
	return newErr(MalformedPolicyDocumentException, format, args...)
}

// policyJSONError says what is wrong with a policy that does not decode, in
// the policy's terms rather than the JSON decoder's (which speaks of Go
// types and struct fields).
func policyJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("The policy is not a valid JSON document: syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("Policy element %s has the wrong type (%s)", typ.Field, typ.Value)
	}
	return "The policy must be a JSON object"
}

// checkPolicy validates a key policy document. Unless bypass is set it also
// runs AWS's lockout safety check: the policy must still let the account
// change the policy later.
func (t *txn) checkPolicy(doc string, bypass *bool) error {
	if len(doc) > maxPolicyBytes {
		return newErr(LimitExceededException, "The key policy is %d bytes; the limit is %d bytes", len(doc), maxPolicyBytes)
	}
	var p struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return malformedPolicy("%s", policyJSONError(err))
	}
	if p.Version != "" && p.Version != "2012-10-17" && p.Version != "2008-10-17" {
		return malformedPolicy("The policy document has an unsupported Version %q", p.Version)
	}
	stmts, err := statements(p.Statement)
	if err != nil {
		return err
	}
	allowed := false
	for _, s := range stmts {
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return malformedPolicy("Policy statement has an invalid Effect %q; use Allow or Deny", s.Effect)
		}
		if s.coversAccountPutKeyPolicy(t.account) {
			if s.Effect == "Deny" {
				allowed = false
				break
			}
			allowed = true
		}
	}
	if !allowed && (bypass == nil || !*bypass) {
		return malformedPolicy("The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

type statement struct {
	Effect    string          `json:"Effect"`
	Principal json.RawMessage `json:"Principal"`
	Action    json.RawMessage `json:"Action"`
	Condition json.RawMessage `json:"Condition"`
}

func statements(raw json.RawMessage) ([]statement, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, malformedPolicy("Policy is missing required element - Statement")
	}
	var list []statement
	if err := json.Unmarshal(raw, &list); err != nil {
		var one statement
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, malformedPolicy("Policy Statement must be an object or a list of objects")
		}
		list = []statement{one}
	}
	if len(list) == 0 {
		return nil, malformedPolicy("Policy is missing required element - Statement")
	}
	return list, nil
}

// stringOrList decodes an IAM value that may be one string or a list.
func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
}

// coversAccountPutKeyPolicy reports whether an unconditional statement
// applies kms:PutKeyPolicy to the account principal.
func (s statement) coversAccountPutKeyPolicy(account string) bool {
	if len(s.Condition) > 0 && string(s.Condition) != "null" && string(s.Condition) != "{}" {
		return false
	}
	principals := stringOrList(s.Principal)
	var p struct {
		AWS json.RawMessage `json:"AWS"`
	}
	if json.Unmarshal(s.Principal, &p) == nil && len(p.AWS) > 0 {
		principals = stringOrList(p.AWS)
	}
	principalOK := false
	for _, pr := range principals {
		if pr == "*" || pr == account || pr == "arn:aws:iam::"+account+":root" {
			principalOK = true
		}
	}
	if !principalOK {
		return false
	}
	for _, a := range stringOrList(s.Action) {
		if ok, _ := path.Match(strings.ToLower(a), "kms:putkeypolicy"); ok || a == "*" {
			return true
		}
	}
	return false
}

func checkPolicyName(name string) (string, error) {
	if name == "" {
		return defaultPolicyName, nil
	}
	if name != defaultPolicyName {
		return "", newErr(NotFoundException, "No such policy exists")
	}
	return name, nil
}

// GetKeyPolicy returns a key's policy document (only "default" exists).
func (s *Service) GetKeyPolicy(ctx context.Context, in *GetKeyPolicyInput) (*GetKeyPolicyOutput, error) {
	name, err := checkPolicyName(in.PolicyName)
	if err != nil {
		return nil, err
	}
	var out *GetKeyPolicyOutput
	err = s.view(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		out = &GetKeyPolicyOutput{Policy: k.Policy, PolicyName: name}
		return nil
	})
	return out, err
}

// PutKeyPolicy replaces a key's policy after validating it.
func (s *Service) PutKeyPolicy(ctx context.Context, in *PutKeyPolicyInput) (*PutKeyPolicyOutput, error) {
	if _, err := checkPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	return &PutKeyPolicyOutput{}, s.update(ctx, func(t *txn) error {
		k, err := t.resolveKey(in.KeyId)
		if err != nil {
			return err
		}
		if err := t.checkState("PutKeyPolicy", k); err != nil {
			return err
		}
		if err := t.checkPolicy(in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return err
		}
		k.Policy = in.Policy
		return t.saveKey(k)
	})
}

// ListKeyPolicies lists a key's policy names: always just "default".
func (s *Service) ListKeyPolicies(ctx context.Context, in *ListKeyPoliciesInput) (*ListKeyPoliciesOutput, error) {
	var out *ListKeyPoliciesOutput
	err := s.view(ctx, func(t *txn) error {
		if _, err := t.resolveKey(in.KeyId); err != nil {
			return err
		}
		if in.Marker != "" {
			return newErr(InvalidMarkerException, "Invalid marker: %s", in.Marker)
		}
		out = &ListKeyPoliciesOutput{PolicyNames: []string{defaultPolicyName}, Truncated: ptr(false)}
		return nil
	})
	return out, err
}
