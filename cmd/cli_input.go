package cmd

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v4"

	"github.com/pocketkms/pkms/cmd/param"
)

// cliInput is --cli-input-json and --cli-input-yaml: the whole request as
// a document with the API's member names, as --generate-cli-skeleton input
// and yaml-input print it. Options on the command line override its
// members. At most one of the two may be given.
type cliInput struct {
	json, yaml rawValue
}

func (ci *cliInput) bind(c *cobra.Command) {
	c.Flags().Var(&ci.json, "cli-input-json", "read the request from JSON with API member names (or file://PATH)")
	c.Flags().Var(&ci.yaml, "cli-input-yaml", "read the request from YAML with API member names (or file://PATH), as --generate-cli-skeleton yaml-input prints it")
}

func (ci *cliInput) set() bool { return ci.json.set() || ci.yaml.set() }

// load reads and decodes the document. JSON numbers stay json.Number; a
// YAML !!binary value becomes the bytes it holds (sent as they are, not
// read as base64), a YAML timestamp an ISO 8601 string.
func (ci *cliInput) load() (map[string]any, error) {
	if ci.json.set() && ci.yaml.set() {
		return nil, usagef("Only one --cli-input- parameter may be specified.")
	}
	if ci.json.set() {
		// A paramfile error names the option as the CLI does, with its dashes.
		data, _, err := param.LoadValue("--cli-input-json", last(ci.json))
		if err != nil {
			return nil, err
		}
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			return nil, &param.Error{Param: "cli-input-json", Msg: fmt.Sprintf("Invalid JSON: %v\nJSON received: %s", err, data)}
		}
		return obj, nil
	}
	data, _, err := param.LoadValue("--cli-input-yaml", last(ci.yaml))
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &param.Error{Param: "cli-input-yaml", Msg: "Invalid YAML received."}
	}
	budget := maxYAMLNodes
	v, err := yamlValue(&doc, &budget)
	if err != nil {
		return nil, &param.Error{Param: "cli-input-yaml", Msg: "Invalid YAML received."}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &param.Error{Param: "cli-input-yaml", Msg: "Invalid type: expecting map, received " + pyTypeName(v)}
	}
	return obj, nil
}

func last(r rawValue) string { return r.words[len(r.words)-1] }

// maxYAMLNodes bounds the values a YAML document may expand to: aliases
// can repeat a subtree exponentially often ("billion laughs"), and no KMS
// request comes near this.
const maxYAMLNodes = 100000

// yamlValue converts a YAML node to the values encoding/json produces, so
// that a YAML request takes the same path as a JSON one. Each value spends
// one unit of budget.
func yamlValue(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, errors.New("the document expands to too many values")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0], budget)
	case yaml.AliasNode:
		return yamlValue(n.Alias, budget)
	case yaml.MappingNode:
		obj := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := yamlValue(n.Content[i+1], budget)
			if err != nil {
				return nil, err
			}
			obj[n.Content[i].Value] = v
		}
		return obj, nil
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlValue(c, budget)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return b, err
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return nil, err
		}
		return json.Number(strconv.FormatInt(i, 10)), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("not a finite number: %s", n.Value)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	case "!!binary":
		return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
	case "!!timestamp":
		var t time.Time
		if err := n.Decode(&t); err != nil {
			return nil, err
		}
		return t.Format(time.RFC3339Nano), nil
	}
	return n.Value, nil
}

// pyTypeName is how the AWS CLI names the type of a decoded value in its
// messages.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "<class 'NoneType'>"
	case []any:
		return "<class 'list'>"
	case bool:
		return "<class 'bool'>"
	case json.Number:
		if strings.ContainsAny(string(v.(json.Number)), ".eE") {
			return "<class 'float'>"
		}
		return "<class 'int'>"
	case []byte:
		return "<class 'bytes'>"
	}
	return "<class 'str'>"
}
