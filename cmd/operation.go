package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
	"github.com/pocketkms/pkms/vault"
)

// opDoc is the help of one operation command.
type opDoc struct {
	Short string
	// Differs says what pkms does differently from AWS for this operation,
	// if anything (help shows it after AWS's description).
	Differs string
	// Example holds worked examples that run as written against a fresh
	// vault (a test runs each): blocks separated by a blank line, each one
	// or more "# " comment lines and then shell lines, indented by two
	// spaces; a block may use what its earlier lines made.
	Example string
	// Members describes members the generated AWS documentation does not
	// (pkms-only members); AWS's description wins where there is one.
	Members map[string]string
	// Outfile names a blob member of the output that --outfile writes to a
	// file as raw bytes instead of printing it.
	Outfile string
	// Prepare, if set, completes the request after the options are read
	// (a secret asked on the terminal rather than given in argv).
	Prepare func(c *cobra.Command, in any) error
}

// opCommand builds the command for one AWS KMS operation. Its options are
// the input type's members; running it assembles the input, validates it
// the way the AWS CLI does, calls the operation (page by page for list
// operations) and renders the result.
func opCommand(g *globals, name string, doc opDoc) *cobra.Command {
	op, ok := kms.LookupOperation(name)
	if !ok {
		panic("cmd: unknown operation " + name)
	}
	c := &cobra.Command{
		Use:     kebab(name),
		Short:   opSummary(op, doc.Short),
		Long:    opLong(op, doc),
		Example: doc.Example,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("Unknown options: %s", strings.Join(args, ", "))
			}
			return nil
		},
	}
	docs := memberDocs(name)
	for m, d := range doc.Members {
		if docs[m] == "" {
			if docs == nil {
				docs = map[string]string{}
			}
			docs[m] = d
		}
	}
	members := bindMembers(c, op.Input, docs)
	completeKeyRefs(g, c, members)
	var skeleton rawValue
	cliInput := &cliInput{}
	cliInput.bind(c)
	c.Flags().VarPF(&skeleton, "generate-cli-skeleton", "", "print a template of the request as JSON (input, the default) or YAML (yaml-input), or of the response (output)").NoOptDefVal = "input"
	completeOperationArgs(c)
	var outfile string
	if doc.Outfile != "" {
		c.Flags().StringVar(&outfile, "outfile", "", "write "+doc.Outfile+" to this file (raw bytes, mode 0600) instead of printing it")
	}
	pg := &pagination{}
	if isPaginated(op) {
		c.Flags().StringVar(&pg.startingToken, "starting-token", "", "token from a previous truncated result's NextToken")
		c.Flags().IntVar(&pg.pageSize, "page-size", 0, "items per request (the API's Limit)")
		c.Flags().IntVar(&pg.maxItems, "max-items", 0, "stop after this many items and print a NextToken")
	}
	c.RunE = func(c *cobra.Command, _ []string) error {
		if skeleton.set() {
			return g.printSkeleton(op, skeleton.words[len(skeleton.words)-1])
		}
		opts, err := g.renderOptions(name)
		if err != nil {
			return err
		}
		in, err := g.buildInput(op, members, cliInput)
		if err != nil {
			return err
		}
		if doc.Prepare != nil {
			if err := doc.Prepare(c, in); err != nil {
				return err
			}
		}
		pg.maxItemsSet = c.Flags().Changed("max-items")
		pg.explicit = c.Flags().Changed("limit") || c.Flags().Changed("marker")
		s := g.newInvoker()
		defer s.close()
		var out any
		if isPaginated(op) {
			out, err = g.paginate(c.Context(), s, op, in, pg)
		} else {
			out, err = s.invoke(c.Context(), op, in)
		}
		if err != nil {
			return err
		}
		if outfile != "" {
			if err := writeMember(out, doc.Outfile, outfile); err != nil {
				return err
			}
		}
		return format.Render(g.env.stdout, out, opts)
	}
	return c
}

// writeMember writes a blob member of out to path, atomically and 0600,
// and removes it from out so that it is not printed too.
func writeMember(out any, member, path string) error {
	f := reflect.ValueOf(out).Elem().FieldByName(member)
	err := writeFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(f.Bytes())
		return err
	})
	if err != nil {
		return err
	}
	f.SetBytes(nil)
	return nil
}

// buildInput assembles the request: --cli-input-json or --cli-input-yaml first, then every
// option given on the command line on top, then the CLI's own checks.
func (g *globals) buildInput(op *kms.Operation, members []*member, cliInput *cliInput) (any, error) {
	in := reflect.New(op.Input)
	fromJSON := map[string]bool{}
	if cliInput.set() {
		obj, err := cliInput.load()
		if err != nil {
			return nil, err
		}
		if err := g.readCLIInput(op, in, obj, fromJSON); err != nil {
			return nil, err
		}
	}
	for _, m := range members {
		if err := m.apply(in.Elem(), g.binaryFormat); err != nil {
			return nil, err
		}
	}
	var missing []string
	var invalid []string
	for _, m := range members {
		given := m.raw.set() || m.noRaw.set() || fromJSON[jsonName(m.field)]
		if m.required && !given {
			if cliInput.set() {
				invalid = append(invalid, fmt.Sprintf("Missing required parameter in input: %q", jsonName(m.field)))
			} else {
				missing = append(missing, "--"+m.flag)
			}
			continue
		}
		if given {
			invalid = append(invalid, clientChecks(jsonName(m.field), m.field, in.Elem().FieldByIndex(m.field.Index))...)
		}
	}
	if len(missing) > 0 {
		return nil, usagef("the following arguments are required: %s", strings.Join(missing, ", "))
	}
	if len(invalid) > 0 {
		return nil, &validationError{lines: invalid}
	}
	return in.Interface(), nil
}

// readCLIInput sets the input from the decoded --cli-input-json or
// --cli-input-yaml, refusing members the operation does not have, as the
// AWS CLI does.
func (g *globals) readCLIInput(op *kms.Operation, in reflect.Value, obj map[string]any, seen map[string]bool) error {
	var names []string
	for i := 0; i < op.Input.NumField(); i++ {
		names = append(names, jsonName(op.Input.Field(i)))
	}
	var unknown []string
	for k := range obj {
		if !contains(names, k) {
			unknown = append(unknown, k)
		}
		seen[k] = true
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		var lines []string
		for _, k := range unknown {
			lines = append(lines, fmt.Sprintf("Unknown parameter in input: %q, must be one of: %s", k, strings.Join(names, ", ")))
		}
		return &validationError{lines: lines}
	}
	if g.binaryFormat == "raw-in-base64-out" {
		rawBlobsToBase64(obj, op.Input)
	}
	b, _ := json.Marshal(obj)
	if err := json.Unmarshal(b, in.Interface()); err != nil {
		return &validationError{lines: []string{fmt.Sprintf("Invalid type for parameter in input: %v", err)}}
	}
	return nil
}

// clientChecks is botocore's parameter validation: minimum string and list
// lengths and minimum integer values (maximums, patterns and enums are the
// service's to check).
func clientChecks(name string, f reflect.StructField, v reflect.Value) []string {
	var out []string
	min, hasMin := intTag(f.Tag, "min")
	switch kindOf(f.Type) {
	case kindString:
		if n := utf8.RuneCountInString(v.String()); hasMin && n < min {
			out = append(out, fmt.Sprintf("Invalid length for parameter %s, value: %d, valid min length: %d", name, n, min))
		}
	case kindInt:
		if !v.IsNil() && hasMin && int(v.Elem().Int()) < min {
			out = append(out, fmt.Sprintf("Invalid value for parameter %s, value: %d, valid min value: %d", name, v.Elem().Int(), min))
		}
	case kindList:
		itemMin, ok := intTag(f.Tag, "itemMin")
		for i := 0; ok && i < v.Len(); i++ {
			if n := utf8.RuneCountInString(v.Index(i).String()); n < itemMin {
				out = append(out, fmt.Sprintf("Invalid length for parameter %s[%d], value: %d, valid min length: %d", name, i, n, itemMin))
			}
		}
	case kindStructList:
		for i := 0; i < v.Len(); i++ {
			el := v.Index(i)
			for j := 0; j < el.NumField(); j++ {
				sf := el.Type().Field(j)
				sub := fmt.Sprintf("%s[%d].%s", name, i, jsonName(sf))
				if sf.Tag.Get("required") == "true" && el.Field(j).IsZero() && kindOf(sf.Type) != kindString {
					out = append(out, fmt.Sprintf("Missing required parameter in %s[%d]: %q", name, i, jsonName(sf)))
					continue
				}
				out = append(out, clientChecks(sub, sf, el.Field(j))...)
			}
		}
	}
	return out
}

func intTag(tag reflect.StructTag, key string) (int, bool) {
	s, ok := tag.Lookup(key)
	if !ok {
		return 0, false
	}
	var n int
	_, err := fmt.Sscan(s, &n)
	return n, err == nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// invoker calls operations for one command. The default is a session on
// the local vault; tests substitute a recorder.
type invoker interface {
	invoke(ctx context.Context, op *kms.Operation, in any) (any, error)
	close()
}

// session opens the vault at most once per command, on first use.
type session struct {
	g   *globals
	svc *kms.Service
	v   *vault.Vault
}

func (s *session) invoke(ctx context.Context, op *kms.Operation, in any) (any, error) {
	if s.svc == nil {
		if !op.Implemented {
			// Unsupported operations fail the same way without a vault.
			s.svc = kms.New(nil, kms.Options{Region: s.g.regionName()})
		} else {
			svc, v, err := s.g.openService()
			if err != nil {
				return nil, err
			}
			s.svc, s.v = svc, v
		}
	}
	s.g.debugf("calling %s", op.Name)
	out, err := s.svc.Invoke(ctx, op.Name, in)
	var ke *kms.Error
	var ce *kms.ChainError
	if errors.As(err, &ke) {
		return nil, &opError{op: op.Name, err: ke}
	}
	if errors.As(err, &ce) {
		return nil, chainFailure(ce)
	}
	if err != nil && isVaultError(err) {
		return nil, vaultFailure(err)
	}
	return out, err
}

// callAgentOnly calls one of the registry's agent-only operations (pkms's
// own: the access keys of pkms serve, the audit trail), which have no
// command of their own, through inv: the agent that holds the vault, or a
// session on it.
func callAgentOnly(ctx context.Context, inv invoker, name string, in any) (any, error) {
	op, ok := kms.LookupOperation(name)
	if !ok || !op.AgentOnly {
		return nil, fmt.Errorf("pkms: %s is not an agent-only operation", name)
	}
	return inv.invoke(ctx, op, in)
}

// close records the key usage of this command (one small write, skipped
// when the command used no key) and closes the vault. A failure to record
// usage does not fail the command that already succeeded.
func (s *session) close() {
	if s.v != nil {
		if err := s.svc.FlushUsage(context.Background()); err != nil {
			s.g.debugf("recording key usage: %v", err)
		}
		_ = s.svc.Close()
		_ = s.v.Close()
	}
}

// printSkeleton prints a JSON template of the request or the response, or
// a YAML template of the request.
func (g *globals) printSkeleton(op *kms.Operation, which string) error {
	switch which { // the choices are skeletonChoices
	case "input":
		return format.Render(g.env.stdout, skeletonOf(op.Input), format.Options{Output: "json"})
	case "output":
		return format.Render(g.env.stdout, skeletonOf(op.Output), format.Options{Output: "json"})
	case "yaml-input":
		return yamlSkeleton(g.env.stdout, op.Input, memberDocs(op.Name))
	}
	return usagef("argument --generate-cli-skeleton: Invalid choice, valid choices are: input | output | yaml-input")
}

// skeletonOf builds the AWS CLI's template value for a type: "" for
// strings, 0 for integers, true for booleans, one element for lists, a
// KeyName entry for maps, null for blobs, the epoch for timestamps, and the
// first value of an enum.
func skeletonOf(t reflect.Type) any {
	switch kindOf(t) {
	case kindString:
		if v, ok := reflect.Zero(t).Interface().(interface{ Values() []string }); ok && t != reflect.TypeFor[string]() {
			return v.Values()[0]
		}
		return ""
	case kindInt:
		return 0
	case kindBool:
		return true
	case kindBlob:
		return nil
	case kindTimestamp:
		return "1970-01-01T00:00:00"
	case kindMap:
		return format.Object{{Name: "KeyName", Value: ""}}
	case kindList, kindStructList:
		return []any{skeletonOf(t.Elem())}
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	obj := format.Object{}
	for i := 0; i < t.NumField(); i++ {
		obj = append(obj, format.Field{Name: jsonName(t.Field(i)), Value: skeletonOf(t.Field(i).Type)})
	}
	return obj
}
