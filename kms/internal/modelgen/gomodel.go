package main

import (
	"fmt"
	"go/format"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// enumNames are the Go names of the enums whose AWS name carries a
// "Type" or "Spec" suffix the Go side does without (AlgorithmSpec is the
// wrapping algorithm of GetParametersForImport).
var enumNames = map[string]string{
	"KeyUsageType": "KeyUsage", "OriginType": "Origin", "KeyManagerType": "KeyManager",
	"ExpirationModelType": "ExpirationModel", "ConnectionStateType": "ConnectionState",
	"ConnectionErrorCodeType": "ConnectionErrorCode", "XksProxyConnectivityType": "XksProxyConnectivity",
	"EncryptionAlgorithmSpec": "EncryptionAlgorithm", "SigningAlgorithmSpec": "SigningAlgorithm",
	"MacAlgorithmSpec": "MacAlgorithm", "KeyAgreementAlgorithmSpec": "KeyAgreementAlgorithm",
	"AlgorithmSpec": "WrappingAlgorithm", "KeyLastUsageTrackingOperation": "KeyLastUsageOperation",
}

// alwaysSent are the response members AWS sends even when they are empty,
// so they carry no omitempty: the list results of the List and Describe
// operations and the lists inside structures that are always part of an
// answer (AWS answers [] for them), KeyMetadata's Description and a
// grant's Name (AWS answers "" for a key without a description and a grant
// made without a name). Members the model marks required in a response structure
// (a tag's TagValue, sent as "" when empty) have no omitempty either.
// Lists AWS leaves out when empty (KeyMetadata's and GetPublicKey's
// algorithm lists) keep omitempty.
var alwaysSent = map[string][]string{
	"ListKeysOutput":                {"Keys"},
	"ListAliasesOutput":             {"Aliases"},
	"ListResourceTagsOutput":        {"Tags"},
	"ListGrantsOutput":              {"Grants"},
	"ListRetirableGrantsOutput":     {"Grants"},
	"ListKeyPoliciesOutput":         {"PolicyNames"},
	"ListKeyRotationsOutput":        {"Rotations"},
	"DescribeCustomKeyStoresOutput": {"CustomKeyStores"},
	"ReplicateKeyOutput":            {"ReplicaTags"},
	"GrantListEntry":                {"Name", "Operations"},
	"MultiRegionConfiguration":      {"ReplicaKeys"},
	"KeyMetadata":                   {"Description"},
}

// constraintOverrides replace the model's constraints of a member where
// pkms gives the member another meaning. pkms maps a CloudHSM cluster to a
// PKCS#11 token: CloudHsmClusterId holds the token's label (at most 32
// bytes, the PKCS#11 label field) or slot:N, not cluster-….
var constraintOverrides = map[string]constraints{
	"CloudHsmClusterId": {min: "1", max: "32"},
}

type constraints struct {
	min, max, pattern string
}

func (c constraints) tags(prefix string) string {
	var b strings.Builder
	for _, kv := range [][2]string{{"min", c.min}, {"max", c.max}, {"pattern", c.pattern}} {
		if kv[1] == "" {
			continue
		}
		k := kv[0]
		if prefix != "" {
			k = prefix + strings.ToUpper(k[:1]) + k[1:]
		}
		v := strings.ReplaceAll(strings.ReplaceAll(kv[1], `\`, `\\`), `"`, `\"`)
		fmt.Fprintf(&b, ` %s:"%s"`, k, v)
	}
	return b.String()
}

func shapeConstraints(s *shape) constraints {
	var c constraints
	if s.Min != nil {
		c.min = fmt.Sprint(*s.Min)
	}
	if s.Max != nil {
		c.max = fmt.Sprint(*s.Max)
	}
	c.pattern = s.Pattern
	return c
}

// goName is the Go name of a botocore shape.
func (m *model) goName(name string) string {
	if s := m.Shapes[name]; s.Type == "string" && len(s.Enum) > 0 {
		if n, ok := enumNames[name]; ok {
			return n
		}
	}
	return name
}

// goType is the Go type of a member that refers to shape name, and the
// struct tags of its constraints.
func (m *model) goType(name string) (string, string) {
	s := m.Shapes[name]
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return m.goName(name), ""
		}
		return "string", shapeConstraints(s).tags("")
	case "integer":
		return "*int32", shapeConstraints(s).tags("")
	case "long":
		return "*int64", shapeConstraints(s).tags("")
	case "boolean":
		return "*bool", ""
	case "blob":
		return "[]byte", shapeConstraints(s).tags("")
	case "timestamp":
		return "*Timestamp", ""
	case "map":
		return "map[string]string", ""
	case "list":
		el := m.Shapes[s.Member.Shape]
		t, _ := m.goType(s.Member.Shape)
		t = strings.TrimPrefix(t, "*")
		var tags string
		if el.Type != "structure" && len(el.Enum) == 0 {
			tags = shapeConstraints(el).tags("item")
		}
		return "[]" + t, tags
	case "structure":
		return "*" + name, ""
	}
	panic("modelgen: shape type " + s.Type + " of " + name)
}

// field is one line of a generated struct.
func (m *model) field(owner, name string, ref shapeRef, response, required bool) string {
	t, tags := m.goType(ref.Shape)
	if c, ok := constraintOverrides[name]; ok {
		tags = c.tags("")
	}
	omit := ",omitempty"
	if slices.Contains(alwaysSent[owner], name) || (response && required) {
		omit = ""
	}
	tag := fmt.Sprintf(`json:"%s%s"`, name, omit)
	if required {
		tag += ` required:"true"`
	}
	return fmt.Sprintf("\t%s %s `%s%s`\n", name, t, tag, tags)
}

// structBody is the fields of the structure shape name, in model order,
// required marked where the model says so unless response.
func (m *model) structBody(b *strings.Builder, owner, name string, response, markRequired bool) {
	if name == "" {
		return
	}
	s := m.Shapes[name]
	for _, mem := range s.Members.names {
		req := markRequired && slices.Contains(s.Required, mem)
		b.WriteString(m.field(owner, mem, s.Members.refs[mem], response, req))
	}
}

// operationNames are the model's operations in name order.
func (m *model) operationNames() []string {
	var names []string
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// goModel is the source of kms/model.go.
func (m *model) goModel(ext *extensions) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "// Code generated by kms/internal/modelgen from the KMS %s service model of botocore %s. DO NOT EDIT.\n\n",
		m.Metadata.APIVersion, m.Version)
	b.WriteString("package kms\n\nimport \"reflect\"\n\n")

	// enums, by Go name
	var enums []string
	for n, s := range m.Shapes {
		if s.Type == "string" && len(s.Enum) > 0 {
			enums = append(enums, n)
		}
	}
	sort.Slice(enums, func(i, j int) bool { return m.goName(enums[i]) < m.goName(enums[j]) })
	for _, n := range enums {
		g, vals := m.goName(n), m.Shapes[n].Enum
		if g == n {
			fmt.Fprintf(&b, "// %s is the AWS enum of that name.\n", g)
		} else {
			fmt.Fprintf(&b, "// %s is the AWS enum %s.\n", g, n)
		}
		fmt.Fprintf(&b, "type %s string\n\nconst (\n", g)
		for _, v := range vals {
			fmt.Fprintf(&b, "\t%s%s %s = %q\n", g, goIdent(v), g, v)
		}
		b.WriteString(")\n\n")
		quoted := make([]string, len(vals))
		for i, v := range vals {
			quoted[i] = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, "// Values lists every value AWS defines for %s, in model order.\nfunc (%s) Values() []string {\n\treturn []string{%s}\n}\n\n",
			g, g, strings.Join(quoted, ", "))
	}

	ops := m.operationNames()
	for _, op := range ops {
		o := m.Operations[op]
		in, out := op+"Input", op+"Output"
		fmt.Fprintf(&b, "// %s is the request of %s (`aws kms %s`).\ntype %s struct {\n", in, op, kebab(op), in)
		m.structBody(&b, in, o.Input.Shape, false, true)
		b.WriteString(ext.fields(in))
		b.WriteString("}\n\n")
		fmt.Fprintf(&b, "// %s is the response of %s, members in the order the CLI prints them.\ntype %s struct {\n", out, op, out)
		m.structBody(&b, out, o.Output.Shape, true, false)
		b.WriteString(ext.fields(out))
		b.WriteString("}\n\n")
	}

	// the structures the operations' members refer to
	for _, n := range m.nestedStructures() {
		fmt.Fprintf(&b, "// %s is the AWS structure of that name, members in model order.\ntype %s struct {\n", n, n)
		m.structBody(&b, n, n, true, true)
		b.WriteString(ext.fields(n))
		b.WriteString("}\n\n")
	}

	b.WriteString("// modelShapes maps every AWS KMS operation, in model order, to its input and output types.\n")
	b.WriteString("var modelShapes = []struct {\n\tName    string\n\tIn, Out reflect.Type\n}{\n")
	for _, op := range ops {
		fmt.Fprintf(&b, "\t{%q, reflect.TypeFor[%sInput](), reflect.TypeFor[%sOutput]()},\n", op, op, op)
	}
	b.WriteString("}\n")
	if err := ext.unused(); err != nil {
		return nil, err
	}
	return format.Source([]byte(b.String()))
}

// nestedStructures are the structure shapes reachable from the
// operations' inputs and outputs, other than those, in name order.
func (m *model) nestedStructures() []string {
	top := map[string]bool{}
	for _, o := range m.Operations {
		top[o.Input.Shape], top[o.Output.Shape] = true, true
	}
	seen := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		s := m.Shapes[name]
		switch s.Type {
		case "list":
			visit(s.Member.Shape)
		case "structure":
			if seen[name] {
				return
			}
			seen[name] = true
			for _, mem := range s.Members.names {
				visit(s.Members.refs[mem].Shape)
			}
		}
	}
	for n := range top {
		if n != "" {
			visit(n)
		}
	}
	var names []string
	for n := range seen {
		if !top[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// goIdent turns an enum value into the suffix of its Go constant:
// ECC_NIST_P256 → EccNistP256, GenerateDataKey → GenerateDataKey.
func goIdent(v string) string {
	var b strings.Builder
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == '_' || r == '-' }) {
		if isUpper(p) || isDigits(p) {
			b.WriteString(strings.ToUpper(p[:1]) + strings.ToLower(p[1:]))
		} else {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

// isUpper reports whether s has letters and none of them is lower case.
func isUpper(s string) bool {
	letters := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		letters = letters || unicode.IsLetter(r)
	}
	return letters
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// kebab is the AWS CLI's name of an operation: CreateKey → create-key (as
// cmd's kebab, which the generator cannot import: cmd needs the files it
// generates).
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
