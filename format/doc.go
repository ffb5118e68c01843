// Package format prints a command's result the way AWS CLI v2 prints it.
//
// pkms promises that every command's json, text and yaml output is
// byte-for-byte what `aws kms ...` would print, so scripts written against
// the real CLI keep working. That output is produced by Python code inside the CLI (json.dump,
// its text and table formatters, ruamel.yaml) and each of
// those has quirks a script can observe: the JSON indent and escaping rules,
// Python's str() of True/None/floats, the text format's sorted and upper-cased
// identifiers, and YAML's quoting decisions. This package keeps exactly those
// rules for json, text and yaml.
//
// The pipeline is:
//
//	response value --Tree--> generic tree --Query (JMESPath)--> result --renderer--> bytes
//
// Tree converts Go structs (json tags, model member order) into ordered
// objects, lists and scalars, turning timestamps into their printed form
// (ISO 8601 strings for v2, epoch numbers for "wire") and blobs into base64.
// The query runs on that tree as the AWS CLI's jmespath.py runs it: the
// original JMESPath specification, parsed and evaluated with
// github.com/jmespath-community/go-jmespath restricted and adapted to it
// (strict.go); member order lost in Go maps is restored from the tree, so
// keys(), values() and '*' follow the response's order (see query.go).
//
// Why no encoding/json: it escapes U+2028/U+2029 unconditionally and <, >, &
// by default, prints floats differently from Python's repr, and uses a
// different indent layout for empty containers; Python's json.dump(indent=4,
// ensure_ascii=False) does none of that, so json.go has its own small encoder.
//
// Tables are drawn with github.com/olekukonko/tablewriter in the AWS CLI's
// look (title line, key/value sections for objects, column headers for
// lists of objects, nested sections between bars); people read tables and
// scripts do not, so table.go keeps the look, not every character.
//
// YAML comes from go.yaml.in/yaml/v4, whose emitter descends from libyaml,
// the emitter under AWS CLI v2's ruamel.yaml: configured with the same
// indent, sequence indent and line width it prints the same documents;
// yaml.go decides only which strings must be quoted (YAML 1.2 implicit
// types, as ruamel resolves them).
//
// Known, documented deviations from the Python originals are listed next to
// the code that makes them (timestamps are truncated to the millisecond KMS
// carries; identifiers are upper-cased with Go's simple case mapping; shared
// sub-objects are never emitted as YAML anchors; a NaN or infinite number is
// JSON null, never Python's non-JSON NaN/Infinity).
package format
