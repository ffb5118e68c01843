package format

import (
	"bytes"
	"maps"
	"slices"
	"strings"
)

// Text output (--output text) is the AWS CLI's line-oriented format, made
// for shell scripts that take lines apart with read, cut or awk. A script
// written against the real CLI depends on which line a value lands on and
// in which tab-separated column, so pkms prints it byte for byte as the AWS
// CLI does. The rules:
//
//   - An object is one line holding the values of its scalar members,
//     sorted by key and tab-separated. When the object was found under a
//     key, the line starts with that key upper-cased (its label); the
//     top-level value has no label. An object without scalar members has no
//     line of its own.
//   - Its other members (objects and lists) follow on their own lines, in
//     key order, each labelled with its own key.
//   - A list of scalars is one tab-separated line at the top level, but one
//     line per element (label, tab, value) under a key.
//   - The objects of a list share their columns: the sorted union of the
//     scalar keys of all elements. An element without one of them has an
//     empty cell there; a member that is scalar in one element but a list
//     or object in another is printed in its cell as Python's repr. Each
//     element's line is followed by that element's other members.
//   - A list holding lists prints its scalars first (as above), then each
//     inner list under the same label.
//   - Values print as Python's str(): True, False, None, 2.5, 1e+20.
//   - A list mixing objects with other values is an error: the AWS CLI
//     fails there with Python's "'int' object has no attribute 'items'"
//     after printing every line before that list, and so does pkms.

// renderText returns v as text output. On a *RenderError the output is
// what the AWS CLI prints before failing.
func renderText(v any) ([]byte, error) {
	var w textWriter
	w.value(v, nil)
	return w.out.Bytes(), w.err
}

// textWriter walks a value and prints its lines. The first failure is kept
// in err, and nothing is printed after it.
type textWriter struct {
	out bytes.Buffer
	err error
}

// A label is what every line printed for a value starts with: nothing for
// the top-level value, the upper-cased key for a value found under one
// (an empty key gives an empty first cell, not no label).
type label []string

// labelOf is the label of the value under key. Upper-casing uses Go's
// per-rune mapping, which differs from Python's str.upper() only in
// multi-rune expansions (ß -> SS) that model member names never contain.
func labelOf(key string) label { return label{strings.ToUpper(key)} }

// fail records the first failure; later ones are never reached by the
// AWS CLI, which stops at the first.
func (w *textWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// line prints one line: the label's cells, then cells, tab-separated.
func (w *textWriter) line(l label, cells ...string) {
	if w.err != nil {
		return
	}
	w.out.WriteString(strings.Join(slices.Concat(l, cells), "\t"))
	w.out.WriteByte('\n')
}

func (w *textWriter) value(v any, l label) {
	switch x := v.(type) {
	case Object:
		cells, rest := ownRow(x)
		w.object(l, cells, rest)
	case []any:
		w.list(x, l)
	default:
		// Only the top-level value can be a bare scalar: members and list
		// elements that are scalars are cells of their parent's lines.
		w.line(nil, pyStr(v))
	}
}

// object prints an object's line (when it has cells) and then the members
// that are not on it.
func (w *textWriter) object(l label, cells []string, rest Object) {
	if len(cells) > 0 {
		w.line(l, cells...)
	}
	for _, f := range rest {
		if w.err != nil {
			return
		}
		w.value(f.Value, labelOf(f.Name))
	}
}

func (w *textWriter) list(list []any, l label) {
	switch {
	case slices.ContainsFunc(list, isObject):
		columns, err := sharedColumns(list)
		if err != nil {
			w.fail(err)
			return
		}
		for _, e := range list {
			cells, rest := sharedRow(e.(Object), columns)
			w.object(l, cells, rest)
		}
	case slices.ContainsFunc(list, isList):
		w.scalars(slices.DeleteFunc(slices.Clone(list), isList), l)
		for _, e := range list {
			if inner, ok := e.([]any); ok {
				w.list(inner, l)
			}
		}
	default:
		w.scalars(list, l)
	}
}

// scalars prints a list of scalars: one line at the top level, one line
// per element under a label. An empty list prints nothing.
func (w *textWriter) scalars(list []any, l label) {
	if len(list) == 0 {
		return
	}
	if l == nil {
		cells := make([]string, len(list))
		for i, e := range list {
			cells[i] = pyStr(e)
		}
		w.line(nil, cells...)
		return
	}
	for _, e := range list {
		w.line(l, pyStr(e))
	}
}

// ownRow splits an object standing on its own into the values of its
// scalar members and its other members, both in key order.
func ownRow(obj Object) (cells []string, rest Object) {
	for _, f := range sortedFields(obj) {
		if isScalar(f.Value) {
			cells = append(cells, pyStr(f.Value))
		} else {
			rest = append(rest, f)
		}
	}
	return cells, rest
}

// sharedRow splits an element of a list of objects into its cells in the
// list's columns (empty where it lacks one) and its members under other
// keys, in key order.
func sharedRow(obj Object, columns []string) (cells []string, rest Object) {
	cells = make([]string, len(columns))
	for i, c := range columns {
		if v, ok := lookup(obj, c); ok {
			cells[i] = pyStr(v)
		}
	}
	for _, f := range sortedFields(obj) {
		if _, isColumn := slices.BinarySearch(columns, f.Name); !isColumn {
			rest = append(rest, f)
		}
	}
	return cells, rest
}

// sharedColumns is the sorted union of the scalar members' keys of the
// objects in list. Every element must be an object; the error is the
// AWS CLI's message for the first one that is not.
func sharedColumns(list []any) ([]string, error) {
	keys := map[string]bool{}
	for _, e := range list {
		obj, ok := e.(Object)
		if !ok {
			return nil, &RenderError{Output: OutputText, Msg: "'" + pyTypeName(e) + "' object has no attribute 'items'"}
		}
		for _, f := range obj {
			if isScalar(f.Value) {
				keys[f.Name] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(keys)), nil
}

func isObject(v any) bool { _, ok := v.(Object); return ok }

func isList(v any) bool { _, ok := v.([]any); return ok }
