package format

import (
	"bytes"
	"sort"
	"strings"
)

// Text output is a port of awscli/text.py: one line per object holding its
// scalar values (sorted by key) tab-separated, prefixed with the upper-cased
// key it was found under; nested values follow on their own lines.

// renderText returns the output and, when text.py would raise part-way,
// the error together with what had been printed up to then.
func renderText(v any) ([]byte, error) {
	var b bytes.Buffer
	err := formatText(&b, v, ident{}, nil)
	return b.Bytes(), err
}

// ident is text.py's identifier argument: the key a value was found under,
// or None (ok false) at the top level.
type ident struct {
	name string
	ok   bool
}

// formatText is _format_text. scalarKeys non-nil means the caller fixed the
// columns (the elements of a list of objects).
func formatText(b *bytes.Buffer, item any, identifier ident, scalarKeys []string) error {
	switch x := item.(type) {
	case Object:
		return formatTextObject(b, x, identifier, scalarKeys)
	case []any:
		return formatTextList(b, x, identifier)
	}
	b.WriteString(pyStr(item))
	b.WriteByte('\n')
	return nil
}

func formatTextList(b *bytes.Buffer, list []any, identifier ident) error {
	if len(list) == 0 {
		return nil
	}
	hasObject, hasList := false, false
	for _, e := range list {
		switch e.(type) {
		case Object:
			hasObject = true
		case []any:
			hasList = true
		}
	}
	switch {
	case hasObject:
		keys, err := allScalarKeys(list)
		if err != nil {
			return err
		}
		for _, e := range list {
			if err := formatText(b, e, identifier, keys); err != nil {
				return err
			}
		}
	case hasList:
		var scalars, nonScalars []any
		for _, e := range list {
			if isScalar(e) {
				scalars = append(scalars, e)
			} else {
				nonScalars = append(nonScalars, e)
			}
		}
		if len(scalars) > 0 {
			formatTextScalarList(b, scalars, identifier)
		}
		for _, e := range nonScalars {
			if err := formatText(b, e, identifier, nil); err != nil {
				return err
			}
		}
	default:
		formatTextScalarList(b, list, identifier)
	}
	return nil
}

func formatTextScalarList(b *bytes.Buffer, list []any, identifier ident) {
	if identifier.ok {
		for _, e := range list {
			b.WriteString(upper(identifier.name) + "\t" + pyStr(e) + "\n")
		}
		return
	}
	for i, e := range list {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(pyStr(e))
	}
	b.WriteByte('\n')
}

func formatTextObject(b *bytes.Buffer, obj Object, identifier ident, scalarKeys []string) error {
	var scalars []string
	var nested Object
	if scalarKeys == nil {
		for _, f := range sortedFields(obj) {
			if isScalar(f.Value) {
				scalars = append(scalars, pyStr(f.Value))
			} else {
				nested = append(nested, f)
			}
		}
	} else {
		fixed := make(map[string]bool, len(scalarKeys))
		for _, k := range scalarKeys {
			fixed[k] = true
			v, ok := lookup(obj, k)
			if !ok {
				v = ""
			}
			scalars = append(scalars, pyStr(v))
		}
		for _, f := range sortedFields(obj) {
			if !fixed[f.Name] {
				nested = append(nested, f)
			}
		}
	}
	if len(scalars) > 0 {
		if identifier.ok {
			scalars = append([]string{upper(identifier.name)}, scalars...)
		}
		b.WriteString(strings.Join(scalars, "\t"))
		b.WriteByte('\n')
	}
	for _, f := range nested {
		if err := formatText(b, f.Value, ident{f.Name, true}, nil); err != nil {
			return err
		}
	}
	return nil
}

// allScalarKeys is the sorted union of the scalar-valued keys of the
// objects in list. Like text.py it fails on a list that mixes objects with
// other values.
func allScalarKeys(list []any) ([]string, error) {
	seen := map[string]bool{}
	keys := []string{}
	for _, e := range list {
		obj, ok := e.(Object)
		if !ok {
			return nil, &RenderError{Output: OutputText, Msg: "'" + pyTypeName(e) + "' object has no attribute 'items'"}
		}
		for _, f := range obj {
			if isScalar(f.Value) && !seen[f.Name] {
				seen[f.Name] = true
				keys = append(keys, f.Name)
			}
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// upper is Python's str.upper() for identifiers (Go's per-rune mapping;
// the only differences are multi-rune expansions such as ß -> SS, which
// model member names never contain).
func upper(s string) string {
	return strings.ToUpper(s)
}
