package kms

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Validate checks a request against the constraints of the AWS model that
// the service (not the CLI) enforces: lengths, numeric ranges, patterns and
// enum values. Violations come back as one ValidationException in AWS's
// "N validation errors detected: …" form. Values of blob members are never
// echoed, since they may be secret.
func Validate(in any) error {
	var msgs []string
	validateStruct(reflect.ValueOf(in), "", &msgs)
	switch len(msgs) {
	case 0:
		return nil
	case 1:
		return &Error{Code: ValidationException, Message: "1 validation error detected: " + msgs[0]}
	}
	return &Error{Code: ValidationException, Message: fmt.Sprintf("%d validation errors detected: %s", len(msgs), strings.Join(msgs, "; "))}
}

func lowerCamel(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

type valuer interface{ Values() []string }

func validateStruct(v reflect.Value, prefix string, msgs *[]string) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		path := prefix + lowerCamel(jsonName(f))
		if f.Tag.Get("required") == "true" && fv.IsZero() && f.Type.Kind() != reflect.String {
			*msgs = append(*msgs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
			continue
		}
		checkValue(fv, f.Tag, "", path, msgs)
	}
}

func checkValue(fv reflect.Value, tag reflect.StructTag, pfx, path string, msgs *[]string) {
	fail := func(shown bool, val any, c string) {
		if shown {
			*msgs = append(*msgs, fmt.Sprintf("Value '%v' at '%s' failed to satisfy constraint: %s", val, path, c))
		} else {
			*msgs = append(*msgs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path, c))
		}
	}
	min, hasMin := intTag(tag, constraintKey(pfx, "min"))
	max, hasMax := intTag(tag, constraintKey(pfx, "max"))
	switch fv.Kind() {
	case reflect.String:
		s := fv.String()
		if s == "" && pfx == "" {
			// An empty member is indistinguishable from an absent one: only a
			// required member with a minimum length fails.
			if tag.Get("required") == "true" && hasMin && min > 0 {
				fail(true, s, fmt.Sprintf("Member must have length greater than or equal to %d", min))
			}
			return
		}
		n := utf8.RuneCountInString(s)
		if hasMin && n < min {
			fail(true, s, fmt.Sprintf("Member must have length greater than or equal to %d", min))
		} else if hasMax && n > max {
			fail(true, s, fmt.Sprintf("Member must have length less than or equal to %d", max))
		} else if p := tag.Get(constraintKey(pfx, "pattern")); p != "" && !compilePattern(p).MatchString(s) {
			fail(true, s, "Member must satisfy regular expression pattern: "+p)
		}
		if e, ok := fv.Interface().(valuer); ok && fv.Type() != reflect.TypeFor[string]() {
			vals := e.Values()
			if !contains(vals, s) {
				fail(true, s, "Member must satisfy enum value set: ["+strings.Join(vals, ", ")+"]")
			}
		}
	case reflect.Slice:
		if fv.Type().Elem().Kind() == reflect.Uint8 {
			if fv.IsNil() {
				return
			}
			if hasMin && fv.Len() < min {
				fail(false, nil, fmt.Sprintf("Member must have length greater than or equal to %d", min))
			} else if hasMax && fv.Len() > max {
				fail(false, nil, fmt.Sprintf("Member must have length less than or equal to %d", max))
			}
			return
		}
		for i := 0; i < fv.Len(); i++ {
			el := fv.Index(i)
			elPath := fmt.Sprintf("%s.%d.member", path, i+1)
			if el.Kind() == reflect.Struct || el.Kind() == reflect.Pointer {
				validateStruct(el, elPath+".", msgs)
			} else {
				checkValue(el, tag, "item", path, msgs)
			}
		}
	case reflect.Pointer:
		if fv.IsNil() {
			return
		}
		switch fv.Elem().Kind() {
		case reflect.Int32, reflect.Int64, reflect.Int:
			n := int(fv.Elem().Int())
			if hasMin && n < min {
				fail(true, n, fmt.Sprintf("Member must have value greater than or equal to %d", min))
			} else if hasMax && n > max {
				fail(true, n, fmt.Sprintf("Member must have value less than or equal to %d", max))
			}
		case reflect.Struct:
			if fv.Elem().Type() != reflect.TypeFor[Timestamp]() {
				validateStruct(fv, path+".", msgs)
			}
		}
	}
}

// constraintKey names a constraint tag: "min" for the member itself,
// "itemMin" for the elements of a list member.
func constraintKey(pfx, name string) string {
	if pfx == "" {
		return name
	}
	return pfx + strings.ToUpper(name[:1]) + name[1:]
}

func intTag(tag reflect.StructTag, key string) (int, bool) {
	s, ok := tag.Lookup(key)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

var patternCache sync.Map

// compilePattern compiles a model pattern, translating Java's \uXXXX escapes
// into Go's \x{XXXX}. Model patterns are anchored only where they say so,
// but AWS matches them against the whole value, so they are anchored here.
func compilePattern(p string) *regexp.Regexp {
	if re, ok := patternCache.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	goP := regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`).ReplaceAllString(p, `\x{$1}`)
	re := regexp.MustCompile(`^(?:` + goP + `)$`)
	patternCache.Store(p, re)
	return re
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
