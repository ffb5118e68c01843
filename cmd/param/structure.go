package param

import (
	"strconv"
	"strings"
)

// How argprocess.py and ParamShorthandParser decide between JSON, shorthand
// and plain words, and the botocore type checks implied by the Go result
// types. All functions take the value as typed, so file:// and fileb://
// values are loaded first (fileb:// content is used as text).

// Structure parses a structure/map option value: if it starts (after
// whitespace) with '{' it is JSON (numbers as json.Number), otherwise
// shorthand. A value starting with '[' is the AWS "Invalid JSON:" error.
func Structure(param, value string) (map[string]any, error) {
	obj, err := loadStructure(param, value)
	if err != nil {
		return nil, err
	}
	return plainMap(obj), nil
}

// StringMap parses a map<string,string> option (e.g. --encryption-context
// purpose=demo,stage=test or JSON). member is the API member name used in
// validation messages (EncryptionContext); "" derives it from param. Values
// that are not strings fail as botocore reports them:
// "Parameter validation failed:\nInvalid type for parameter EncryptionContext.a, value: ['b', 'c'], type: <class 'list'>, valid types: <class 'str'>".
func StringMap(param, member, value string) (map[string]string, error) {
	obj, err := loadStructure(param, value)
	if err != nil {
		return nil, err
	}
	if member == "" {
		member = memberName(param)
	}
	out := make(map[string]string, len(obj.keys))
	var problems []string
	for _, k := range obj.keys {
		if s, ok := obj.vals[k].(string); ok {
			out[k] = s
		} else {
			problems = append(problems, invalidType(member+"."+k, obj.vals[k], validStr))
		}
	}
	if problems != nil {
		return nil, validationError(param, problems)
	}
	return out, nil
}

// StringList parses a list-of-strings option given as the words after the
// option (nargs *): exactly one word starting with '[' is a JSON array,
// otherwise each word is an element; no words is an empty list. A single
// file:// word is replaced by the file's text first (which, like the AWS
// CLI, is then either a JSON array or split into characters).
func StringList(param string, words []string) ([]string, error) {
	if len(words) == 1 {
		text, loaded, err := loadText(param, words[0])
		if err != nil {
			return nil, err
		}
		if loaded {
			return stringListFromText(param, text)
		}
		if strings.HasPrefix(pyStrip(words[0]), "[") {
			return jsonStringList(param, words[0])
		}
	}
	return append([]string{}, words...), nil
}

// StructureList parses a list-of-structures option (--tags TagKey=a,TagValue=b
// TagKey=c,TagValue=d): each word is shorthand, unless the first word looks
// like JSON, in which case a single '[' word is a JSON array and otherwise
// every word must be a JSON object.
func StructureList(param string, words []string) ([]map[string]any, error) {
	if len(words) == 1 {
		text, loaded, err := loadText(param, words[0])
		if err != nil {
			return nil, err
		}
		if loaded {
			return structureListFromText(param, text)
		}
	}
	out := []map[string]any{}
	if len(words) == 0 {
		return out, nil
	}
	first := pyStrip(words[0])
	if len(words) == 1 && strings.HasPrefix(first, "[") {
		return jsonStructureList(param, words[0])
	}
	jsonWords := strings.HasPrefix(first, "[") || strings.HasPrefix(first, "{")
	for _, w := range words {
		var obj *object
		var err error
		if jsonWords {
			obj, err = jsonStructure(param, w)
		} else {
			obj, err = parseShorthand(param, w)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, plainMap(obj))
	}
	return out, nil
}

// loadStructure loads a paramfile and parses the text as JSON or shorthand.
func loadStructure(param, value string) (*object, error) {
	text, _, err := loadText(param, value)
	if err != nil {
		return nil, err
	}
	if looksLikeJSON(text) {
		return jsonStructure(param, text)
	}
	return parseShorthand(param, text)
}

// looksLikeJSON is ParamShorthandParser's test for skipping shorthand.
func looksLikeJSON(s string) bool {
	s = pyStrip(s)
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
}

// jsonStructure is _unpack_complex_cli_arg for a structure or map.
func jsonStructure(param, text string) (*object, error) {
	t := pyLStrip(text)
	if t == "" {
		return nil, indexError(param)
	}
	if t[0] != '{' {
		return nil, invalidJSON(param, text)
	}
	v, err := decodeJSON(param, text)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(*object)
	if !ok { // unreachable: a '{' document decodes to an object or fails
		return nil, invalidJSON(param, text)
	}
	return obj, nil
}

// jsonList decodes a JSON array option value.
func jsonList(param, text string) ([]any, error) {
	v, err := decodeJSON(param, text)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, validationError(param, []string{invalidType(memberName(param), v, validList)})
	}
	return list, nil
}

func jsonStringList(param, text string) ([]string, error) {
	list, err := jsonList(param, text)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(list))
	var problems []string
	for i, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		} else {
			problems = append(problems, invalidType(elementName(param, i), v, validStr))
		}
	}
	if problems != nil {
		return nil, validationError(param, problems)
	}
	return out, nil
}

func jsonStructureList(param, text string) ([]map[string]any, error) {
	list, err := jsonList(param, text)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(list))
	var problems []string
	for i, v := range list {
		if obj, ok := v.(*object); ok {
			out = append(out, plainMap(obj))
		} else {
			problems = append(problems, invalidType(elementName(param, i), v, validDict))
		}
	}
	if problems != nil {
		return nil, validationError(param, problems)
	}
	return out, nil
}

// stringListFromText handles a list option whose single word was a
// paramfile: argprocess then sees a str instead of a list of words.
func stringListFromText(param, text string) ([]string, error) {
	t := pyLStrip(text)
	if t == "" {
		return nil, indexError(param)
	}
	if t[0] == '[' {
		return jsonStringList(param, text)
	}
	out := []string{}
	for _, r := range text { // iterating a str yields its characters
		out = append(out, string(r))
	}
	return out, nil
}

// structureListFromText is stringListFromText for lists of structures.
func structureListFromText(param, text string) ([]map[string]any, error) {
	if !looksLikeJSON(text) {
		obj, err := parseShorthand(param, text)
		if err != nil {
			return nil, err
		}
		// One structure where a list is expected: botocore rejects it.
		return nil, validationError(param, []string{invalidType(memberName(param), obj, validList)})
	}
	if strings.HasPrefix(pyLStrip(text), "[") {
		return jsonStructureList(param, text)
	}
	out := []map[string]any{}
	for _, r := range text { // each character is parsed as a structure
		obj, err := jsonStructure(param, string(r))
		if err != nil {
			return nil, err
		}
		out = append(out, plainMap(obj))
	}
	return out, nil
}

// memberName derives the API member name from the option name the way the
// CLI derived the option from the member: --grant-tokens → GrantTokens.
func memberName(param string) string {
	parts := strings.Split(strings.TrimLeft(param, "-"), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

func elementName(param string, i int) string {
	return memberName(param) + "[" + strconv.Itoa(i) + "]"
}
