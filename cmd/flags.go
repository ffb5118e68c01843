package cmd

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/cmd/param"
	"github.com/pocketkms/pkms/completions"
	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
)

// kebab is botocore's xform_name: the CLI name of an API member or
// operation (KeyId → key-id, ReEncrypt → re-encrypt, AWSAccountId →
// aws-account-id).
func kebab(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// kind is how the AWS CLI reads a member's value from the command line.
type kind int

const (
	kindString kind = iota
	kindInt
	kindBool
	kindBlob
	kindTimestamp
	kindMap        // map<string,string>: shorthand or JSON
	kindStruct     // structure: shorthand or JSON
	kindList       // list of strings: words or a JSON array
	kindStructList // list of structures: one shorthand per word, or a JSON array
)

var timestampType = reflect.TypeFor[*kms.Timestamp]()

func kindOf(t reflect.Type) kind {
	switch {
	case t == timestampType:
		return kindTimestamp
	case t.Kind() == reflect.String:
		return kindString
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Int32:
		return kindInt
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool:
		return kindBool
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return kindBlob
	case t.Kind() == reflect.Map:
		return kindMap
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return kindList
	case t.Kind() == reflect.Slice:
		return kindStructList
	}
	return kindStruct
}

// emptyList is what a list option given with no words records (see
// expandListFlags).
const emptyList = "\x00"

// member is one API member bound to a command-line option.
type member struct {
	field    reflect.StructField
	flag     string // without the leading --
	kind     kind
	required bool
	raw      rawValue
	noRaw    rawValue // --no-x for booleans
}

// rawValue records the words given for an option; parsing waits until all
// options are known, because --cli-binary-format changes how blobs parse.
// typ is the type name help shows.
type rawValue struct {
	words []string
	typ   string
}

func (r *rawValue) Set(s string) error { r.words = append(r.words, s); return nil }
func (r *rawValue) String() string     { return "" }
func (r *rawValue) Type() string       { return r.typ }
func (r *rawValue) set() bool          { return len(r.words) > 0 }

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// bindMembers creates one option per member of the input type.
func bindMembers(c *cobra.Command, in reflect.Type, docs map[string]string) []*member {
	var ms []*member
	for i := 0; i < in.NumField(); i++ {
		f := in.Field(i)
		m := &member{field: f, flag: kebab(jsonName(f)), kind: kindOf(f.Type), required: f.Tag.Get("required") == "true"}
		usage := docs[jsonName(f)]
		if usage == "" {
			usage = jsonName(f)
		}
		if m.required {
			usage += " (required)"
		}
		usage += memberHelp(f.Type)
		m.raw.typ = kindNames[m.kind]
		flag := c.Flags().VarPF(&m.raw, m.flag, "", usage)
		registerCompletion(c, m)
		switch m.kind {
		case kindBool:
			flag.NoOptDefVal = "true"
			m.noRaw.typ = "bool"
			c.Flags().VarPF(&m.noRaw, "no-"+m.flag, "", "").NoOptDefVal = "true"
			_ = c.Flags().MarkHidden("no-" + m.flag)
		}
		ms = append(ms, m)
	}
	return ms
}

var kindNames = map[kind]string{kindString: "string", kindInt: "integer", kindBlob: "blob",
	kindTimestamp: "timestamp", kindMap: "map", kindStruct: "structure", kindList: "list", kindStructList: "list", kindBool: "bool"}

// registerCompletion offers enum values, or the paramfile prefixes for
// blobs; it never touches the vault.
func registerCompletion(c *cobra.Command, m *member) {
	if m.kind == kindBlob {
		_ = c.RegisterFlagCompletionFunc(m.flag, completeBlob)
		return
	}
	candidates := completions.ForType(m.field.Type)
	if candidates == nil {
		return
	}
	_ = c.RegisterFlagCompletionFunc(m.flag, func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return completions.Filter(candidates, toComplete), cobra.ShellCompDirectiveNoFileComp
	})
}

// completeBlob offers the paramfile prefixes, then the file names after
// one.
func completeBlob(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if files, final, ok := completions.Files(toComplete); ok {
		if final {
			return files, cobra.ShellCompDirectiveNoFileComp
		}
		return files, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
	return completions.Filter(completions.Blob, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// apply parses the option's words and stores the value in the input struct.
func (m *member) apply(in reflect.Value, binaryFormat string) error {
	fv := in.FieldByIndex(m.field.Index)
	opt := "--" + m.flag
	if m.kind == kindBool {
		if m.noRaw.set() && (!m.raw.set()) {
			fv.Set(reflect.ValueOf(ptrTo(false)))
		} else if m.raw.set() {
			fv.Set(reflect.ValueOf(ptrTo(true)))
		}
		return nil
	}
	if !m.raw.set() {
		return nil
	}
	last := m.raw.words[len(m.raw.words)-1]
	switch m.kind {
	case kindString:
		v, _, err := param.LoadValue(opt, last)
		if err != nil {
			return err
		}
		fv.SetString(string(v))
	case kindInt:
		v, _, err := param.LoadValue(opt, last)
		if err != nil {
			return err
		}
		n, err := param.Int(string(v))
		if err != nil {
			return err
		}
		if n < -1<<31 || n > 1<<31-1 {
			return &param.Error{Param: opt, Msg: fmt.Sprintf("value %d is out of range", n)}
		}
		i := int32(n)
		fv.Set(reflect.ValueOf(&i))
	case kindBlob:
		b, err := param.Blob(opt, last, binaryFormat)
		if err != nil {
			return err
		}
		fv.SetBytes(b)
	case kindTimestamp:
		v, _, err := param.LoadValue(opt, last)
		if err != nil {
			return err
		}
		ts, err := kms.ParseTimestamp(strings.TrimSpace(string(v)))
		if err != nil {
			return &param.Error{Param: opt, Msg: err.Error()}
		}
		fv.Set(reflect.ValueOf(&ts))
	case kindMap:
		mp, err := param.StringMap(opt, jsonName(m.field), last)
		if err != nil {
			return err
		}
		fv.Set(reflect.ValueOf(mp))
	case kindStruct:
		v, err := param.Structure(opt, last)
		if err != nil {
			return err
		}
		if missing := missingRequired(fv.Type(), v, jsonName(m.field)); len(missing) > 0 {
			return &validationError{lines: missing}
		}
		return decodeInto(fv, v, opt)
	case kindList, kindStructList:
		words := m.raw.words
		if len(words) == 1 && words[0] == emptyList {
			words = nil
		}
		var v any
		var err error
		if m.kind == kindList {
			v, err = param.StringList(opt, words)
		} else {
			v, err = param.StructureList(opt, words)
		}
		if err != nil {
			return err
		}
		if missing := missingRequired(fv.Type(), v, jsonName(m.field)); len(missing) > 0 {
			return &validationError{lines: missing}
		}
		return decodeInto(fv, v, opt)
	}
	return nil
}

// missingRequired reports required members absent from a parsed structure
// (or each structure of a list), as botocore does before any request:
// `Missing required parameter in Tags[0]: "TagValue"`. It works on the
// parsed value because decoding into Go types loses absent-versus-empty.
func missingRequired(t reflect.Type, v any, path string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	switch v := v.(type) {
	case []map[string]any:
		for i, el := range v {
			out = append(out, missingRequired(t.Elem(), el, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return nil
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if _, ok := v[jsonName(f)]; !ok && f.Tag.Get("required") == "true" {
				out = append(out, fmt.Sprintf("Missing required parameter in %s: %q", path, jsonName(f)))
			}
		}
	}
	return out
}

// decodeInto stores a generic parsed value in a typed field by way of JSON,
// whose member names are the API's.
func decodeInto(fv reflect.Value, v any, opt string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return &param.Error{Param: opt, Msg: err.Error()}
	}
	p := reflect.New(fv.Type())
	if err := json.Unmarshal(b, p.Interface()); err != nil {
		return &validationError{lines: []string{fmt.Sprintf("Invalid type for parameter %s: %v", strings.TrimPrefix(opt, "--"), err)}}
	}
	fv.Set(p.Elem())
	return nil
}

func ptrTo[T any](v T) *T { return &v }

// rawBlobsToBase64 rewrites the blob members of a --cli-input-json object
// so that json.Unmarshal takes their strings literally, as the CLI does
// with --cli-binary-format raw-in-base64-out.
func rawBlobsToBase64(obj map[string]any, t reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if s, ok := obj[jsonName(f)].(string); ok && kindOf(f.Type) == kindBlob {
			obj[jsonName(f)] = base64.StdEncoding.EncodeToString([]byte(s))
		}
	}
}

// positiveDuration is a duration option that only takes a positive value:
// a zero or negative timeout would otherwise silently mean "never".
type positiveDuration struct{ d *time.Duration }

func (v positiveDuration) String() string {
	if v.d == nil || *v.d == 0 {
		return ""
	}
	return v.d.String()
}

func (v positiveDuration) Type() string { return "duration" }

func (v positiveDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("invalid duration value: %s (a positive duration such as 30s, 15m or 8h)", format.PyStringRepr(s))
	}
	*v.d = d
	return nil
}

// durationVar binds a positiveDuration option with its default.
func durationVar(c *cobra.Command, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	c.Flags().Var(positiveDuration{p}, name, usage)
}
