package cmd

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pocketkms/pkms/completions"
	"github.com/pocketkms/pkms/kms"
)

// The help of an operation command is assembled here, from the model and
// the registry, so that it cannot say more than the code does: the first
// line says when pkms does not implement the operation (from
// kms.Operation.Implemented, nowhere else), then AWS's description, what
// pkms does differently, and per option the enum values and the shorthand
// and JSON syntax, as `aws kms <op> help` shows them.

// unsupportedLine is the first help line of an operation pkms answers with
// UnsupportedOperationException.
const unsupportedLine = "Not supported by pkms yet: this command answers UnsupportedOperationException (exit 254)."

// differencesPointer ends every operation's description.
const differencesPointer = `Where pkms differs from AWS on purpose: pkms help differences
(README.md, "Where pkms differs from AWS on purpose").`

// memberNotes are the differences that follow from a member alone, shown
// by every operation that has it.
var memberNotes = []struct{ member, note string }{
	{"KeyId", "--key-id also takes an alias name or alias ARN, wherever AWS would take only a key id or key ARN (the first item of pkms help differences)."},
	{"Recipient", "--recipient (Nitro Enclave or NitroTPM attestation) answers UnsupportedOperationException: pkms has no attestation to verify a document against."},
}

// opSummary is the one-line summary of an operation command, as the
// command list shows it.
func opSummary(op *kms.Operation, short string) string {
	if !op.Implemented {
		return "(not supported yet) " + short
	}
	return short
}

// opLong is the description --help prints above the usage line.
func opLong(op *kms.Operation, doc opDoc) string {
	var b strings.Builder
	if !op.Implemented {
		b.WriteString(unsupportedLine + "\n\nAWS: ")
	}
	b.WriteString(doc.Short)
	b.WriteString("\n")
	var notes []string
	if doc.Differs != "" {
		notes = append(notes, strings.TrimSpace(doc.Differs))
	}
	for _, n := range memberNotes {
		if _, ok := op.Input.FieldByName(n.member); ok {
			notes = append(notes, n.note)
		}
	}
	if len(notes) > 0 {
		b.WriteString("\nIn pkms:\n")
		for _, n := range notes {
			if strings.Contains(n, "\n") { // laid out already
				b.WriteString("  - " + strings.ReplaceAll(n, "\n", "\n    ") + "\n")
			} else {
				b.WriteString(wrapText(n, 78, "  - ", "    ") + "\n")
			}
		}
	}
	b.WriteString("\n" + differencesPointer)
	return b.String()
}

// memberHelp is what an option's help adds to the member's description:
// the allowed values of an enum, and the syntax of a structure, map or
// list, in the words of the AWS CLI's help.
func memberHelp(t reflect.Type) string {
	var parts []string
	k := kindOf(t)
	switch k {
	case kindMap, kindStruct, kindStructList:
		parts = append(parts, "Shorthand Syntax:\n  "+shorthandSyntax(t, true), "JSON Syntax:\n"+indent(jsonSyntax(t), "  "))
	case kindList:
		parts = append(parts, `Syntax: "string" "string" ...`)
	}
	if vals := completions.ForType(t); vals != nil {
		parts = append(parts, "Possible values:\n"+wrapWords(vals, 72, "  "))
	}
	if len(parts) == 0 {
		return ""
	}
	return "\n" + strings.Join(parts, "\n")
}

// shorthandSyntax is the AWS CLI's shorthand template for a type; top is
// false inside a structure, where maps and lists are bracketed.
func shorthandSyntax(t reflect.Type, top bool) string {
	switch kindOf(t) {
	case kindMap:
		if top {
			return "KeyName1=string,KeyName2=string"
		}
		return "{KeyName1=string,KeyName2=string}"
	case kindStructList:
		return shorthandSyntax(t.Elem(), true) + " ..."
	case kindList:
		if top {
			return "string string ..."
		}
		return "string,string"
	case kindStruct:
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		var fields []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			fields = append(fields, jsonName(f)+"="+shorthandSyntax(f.Type, false))
		}
		return strings.Join(fields, ",")
	}
	return scalarSyntax(t)
}

// scalarSyntax names a scalar type as the AWS CLI's syntax templates do.
func scalarSyntax(t reflect.Type) string {
	switch kindOf(t) {
	case kindInt:
		return "integer"
	case kindBool:
		return "boolean"
	case kindBlob:
		return "blob"
	case kindTimestamp:
		return "timestamp"
	}
	return "string"
}

// jsonSyntax is the AWS CLI's JSON template for a type.
func jsonSyntax(t reflect.Type) string {
	switch kindOf(t) {
	case kindMap:
		return `{"string": "string"` + "\n  ...}"
	case kindList:
		return `["string", ...]`
	case kindStructList:
		return "[\n" + indent(jsonSyntax(t.Elem()), "  ") + "\n  ...\n]"
	case kindStruct:
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		var fields []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			fields = append(fields, indent(fmt.Sprintf("%q: %s", jsonName(f), jsonSyntax(f.Type)), "  "))
		}
		return "{\n" + strings.Join(fields, ",\n") + "\n}"
	case kindInt, kindBool:
		return scalarSyntax(t)
	}
	if vals := completions.ForType(t); vals != nil {
		return `"` + strings.Join(vals, `"|"`) + `"`
	}
	return `"` + scalarSyntax(t) + `"`
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// wrapWords lists words separated by " | " in lines of at most width
// characters, each line starting with prefix.
func wrapWords(words []string, width int, prefix string) string {
	var lines []string
	line := prefix
	for i, w := range words {
		sep := ""
		if i < len(words)-1 {
			sep = " |"
		}
		if line != prefix && len(line)+1+len(w)+len(sep) > width {
			lines = append(lines, line)
			line = prefix
		}
		if line != prefix {
			line += " "
		}
		line += w + sep
	}
	return strings.Join(append(lines, line), "\n")
}

// helpAsLastWord turns `pkms encrypt help` into `pkms encrypt --help`, as
// the AWS CLI reads a trailing help. A help that follows an option
// (--description help) is that option's value and stays one.
func helpAsLastWord(args []string) []string {
	n := len(args)
	if n < 2 || args[n-1] != "help" || strings.HasPrefix(args[n-2], "-") || commandName(args) == "help" {
		return args
	}
	return append(append([]string{}, args[:n-1]...), "--help")
}
