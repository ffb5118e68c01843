package format

import (
	"regexp"
	"sync"

	yaml "go.yaml.in/yaml/v4"
)

// YAML output is what AWS CLI v2 prints (ruamel.yaml's safe dumper): keys
// sorted, block style, 2-space indent, a sequence inside a mapping starting
// at its key's column ("- " counts as indentation), empty collections as []
// and {}, long scalars folded at 80 columns, non-printable and astral
// characters escaped in double quotes. go.yaml.in/yaml/v4 emits all of that
// when configured below; this file only decides each scalar's tag and which
// strings must be quoted.
//
// Not reproduced: ruamel emits an anchor (&id001) and aliases when the same
// Python object occurs twice in a result, which a query such as
// "[KeyMetadata, KeyMetadata]" can produce; pkms repeats the value.

var yamlOptions = yaml.Options(
	yaml.WithIndent(2),
	yaml.WithCompactSeqIndent(true),
	yaml.WithLineWidth(80),
	yaml.WithUnicode(true),
	yaml.WithQuotePreference(yaml.QuoteSingle),
)

// renderYAML is the yaml output. A scalar result is printed as JSON, as AWS
// CLI v2 does; stream wraps the result in a one-element list (yaml-stream).
func renderYAML(v any, stream bool) ([]byte, error) {
	if stream {
		v = []any{v}
	}
	if isScalar(v) {
		return renderJSON(v), nil
	}
	out, err := yaml.Dump(yamlNode(v), yamlOptions)
	if err != nil {
		return nil, &RenderError{Output: OutputYAML, Msg: "cannot print the result as YAML"}
	}
	return out, nil
}

// yamlNode converts a tree value into the node the library prints.
func yamlNode(v any) *yaml.Node {
	switch x := v.(type) {
	case Object:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range sortedFields(x) {
			n.Content = append(n.Content, yamlString(f.Name), yamlNode(f.Value))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case string:
		return yamlString(x)
	case bool:
		if x {
			return yamlScalar("!!bool", "true")
		}
		return yamlScalar("!!bool", "false")
	case int64:
		return yamlScalar("!!int", pyRepr(x))
	case float64:
		return yamlScalar("!!float", pyFloat(x, ".inf", ".nan"))
	}
	return yamlScalar("!!null", "null")
}

func yamlScalar(tag, text string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: text}
}

// yamlString is a string scalar. It asks for single quotes when a plain
// scalar would read back as another type, and for multi-line strings
// (which ruamel prints quoted, never as a | block); the emitter still moves
// to double quotes when single quotes cannot carry the text.
func yamlString(s string) *yaml.Node {
	n := yamlScalar("!!str", s)
	if yamlImplicitlyTyped(s) || containsNewline(s) {
		n.Style = yaml.SingleQuotedStyle
	}
	return n
}

func containsNewline(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return true
		}
	}
	return false
}

// yamlImplicit are the YAML 1.2 implicit types ruamel.yaml resolves (bool,
// float, int, merge, null, timestamp, value, YAML indicators): a plain
// scalar matching one of them would not read back as a string, so such a
// string is quoted. Compiled on first use: most commands never print YAML,
// and start-up time is what a script calling pkms hundreds of times pays.
var yamlImplicit = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`^(?:true|True|TRUE|false|False|FALSE)$`),
		regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`),
		regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$`),
		regexp.MustCompile(`^(?:<<)$`),
		regexp.MustCompile(`^(?:~|null|Null|NULL|)$`),
		regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`),
		regexp.MustCompile(`^(?:=)$`),
		regexp.MustCompile(`^(?:!|&|\*)$`),
	}
})

func yamlImplicitlyTyped(s string) bool {
	// A Python regexp's "$" also matches before a final newline.
	if n := len(s); n > 0 && s[n-1] == '\n' {
		if yamlImplicitlyTyped(s[:n-1]) {
			return true
		}
	}
	for _, re := range yamlImplicit() {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
