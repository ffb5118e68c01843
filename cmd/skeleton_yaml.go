package cmd

import (
	"io"
	"reflect"
	"strings"
)

// yamlSkeleton writes the --generate-cli-skeleton yaml-input template of an
// input type as AWS CLI v2 prints it: block style, two-space indentation
// with list dashes at their key's column, ” for strings, the first value
// of an enum, 0, true, !!binary ” for blobs, the epoch for timestamps, a
// KeyName entry for maps, one element for lists, and after each member a
// comment: [REQUIRED] when it is, the first sentence of its documentation,
// and the valid values of an enum. docs holds the documentation of the
// top-level members; members of nested structures carry theirs only when
// docs has an entry "Parent.Member".
//
// The spacing before a comment follows the AWS CLI's YAML library: a
// comment gets one space, except when no member before it in the same
// mapping (as that library looks for one: the member just before, else the
// last commented member among those that sort before it) has a comment;
// then it gets two.
func yamlSkeleton(w io.Writer, t reflect.Type, docs map[string]string) error {
	var b strings.Builder
	writeYAMLStruct(&b, t, docs, "", "", "")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeYAMLStruct writes the members of struct t, each line starting with
// indent, the first with first instead (a list item's "- "). path prefixes
// the docs keys of nested members.
func writeYAMLStruct(b *strings.Builder, t reflect.Type, docs map[string]string, path, indent, first string) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var keys []string
	commented := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		lead := indent
		if i == 0 {
			lead = first
		}
		keys = append(keys, name)
		comment := yamlComment(f, docs[path+name])
		sep := " "
		if comment != "" {
			if !commentBefore(keys, commented) {
				sep = "  "
			}
			commented[name] = true
			comment = sep + "# " + comment
		}
		value, block := yamlScalar(f.Type)
		if !block {
			b.WriteString(lead + name + ": " + value + comment + "\n")
			continue
		}
		b.WriteString(lead + name + ":" + comment + "\n")
		writeYAMLBlock(b, f.Type, docs, path+name+".", indent)
	}
}

// commentBefore reports whether the AWS CLI's YAML library finds an earlier
// comment in the mapping for the last key of keys.
func commentBefore(keys []string, commented map[string]bool) bool {
	key := keys[len(keys)-1]
	if len(keys) > 1 && commented[keys[len(keys)-2]] {
		return true
	}
	for _, k := range keys {
		if k >= key {
			break
		}
		if commented[k] {
			return true
		}
	}
	return false
}

// writeYAMLBlock writes the block value of a member of type t whose key is
// at indent.
func writeYAMLBlock(b *strings.Builder, t reflect.Type, docs map[string]string, path, indent string) {
	switch kindOf(t) {
	case kindMap:
		b.WriteString(indent + "  KeyName: ''\n")
	case kindList, kindStructList:
		el := t.Elem()
		if value, block := yamlScalar(el); !block {
			b.WriteString(indent + "- " + value + "\n")
		} else {
			writeYAMLStruct(b, el, docs, path, indent+"  ", indent+"- ")
		}
	default:
		writeYAMLStruct(b, t, docs, path, indent+"  ", indent+"  ")
	}
}

// yamlScalar is the template value of a member of type t, or block when the
// value is a mapping or a list written on the following lines.
func yamlScalar(t reflect.Type) (value string, block bool) {
	switch kindOf(t) {
	case kindString:
		if v, ok := skeletonOf(t).(string); ok && v != "" {
			return v, false
		}
		return "''", false
	case kindInt:
		return "0", false
	case kindBool:
		return "true", false
	case kindBlob:
		return "!!binary ''", false
	case kindTimestamp:
		return "1970-01-01 00:00:00", false
	}
	return "", true
}

// yamlComment is the comment after a member: [REQUIRED], the first
// sentence of its documentation, the valid values of an enum.
func yamlComment(f reflect.StructField, doc string) string {
	var parts []string
	if f.Tag.Get("required") == "true" {
		parts = append(parts, "[REQUIRED]")
	}
	if doc != "" {
		parts = append(parts, doc)
	}
	// A list of enum values is a list shape: it has no values of its own.
	t := f.Type
	if v, ok := reflect.Zero(t).Interface().(interface{ Values() []string }); ok && t != reflect.TypeFor[string]() {
		parts = append(parts, "Valid values are: "+strings.Join(v.Values(), ", ")+".")
	}
	return strings.Join(parts, " ")
}
