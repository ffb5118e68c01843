package format

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Field is one member of an Object.
type Field struct {
	Name  string
	Value any
}

// Object is an ordered JSON object. Renderers keep its order (JSON) or sort
// it (text, table, YAML) exactly as the AWS CLI does with a botocore dict.
type Object []Field

// Options selects the output format and how values are printed.
type Options struct {
	Output          string         // "json" (default when ""), "text", "table", "yaml", "yaml-stream", "off"
	Query           *Query         // nil: no query
	Title           string         // table title: the operation name, e.g. "DescribeKey"
	Width           int            // table terminal width; 0 means 80
	TimestampFormat string         // "iso8601" (default, AWS CLI v2) or "wire" (epoch seconds number)
	Location        *time.Location // zone for iso8601 timestamps; nil means time.Local
}

// Timestamp formats accepted in Options.TimestampFormat.
const (
	TimestampISO8601 = "iso8601"
	TimestampWire    = "wire"
)

// maxDepth bounds the conversion of self-referencing values; deeper levels
// become null instead of recursing forever.
const maxDepth = 256

var (
	timeType   = reflect.TypeOf(time.Time{})
	objectType = reflect.TypeOf(Object{})
	numberType = reflect.TypeOf(json.Number(""))
)

// Tree converts v into the generic form the renderers and JMESPath work on:
// Object, []any, string, bool, int64, float64 and nil.
//
// Structs become Objects with their exported fields in declaration order,
// named by their json tag; `json:"-"` fields are skipped and omitempty drops
// nil pointers, zero scalars and empty strings, slices and maps. Pointers
// and interfaces are followed. []byte becomes padded standard base64.
// time.Time and any struct whose only field is an embedded time.Time are
// timestamps, printed per opts.TimestampFormat. Maps become Objects with
// sorted keys. Nil slices and maps that are kept print as [] and {}.
func Tree(v any, opts Options) any {
	c := converter{wire: opts.TimestampFormat == TimestampWire, loc: opts.Location}
	if c.loc == nil {
		c.loc = time.Local
	}
	return c.convert(reflect.ValueOf(v), 0)
}

type converter struct {
	wire bool
	loc  *time.Location
}

func (c *converter) convert(rv reflect.Value, depth int) any {
	if depth > maxDepth || !rv.IsValid() {
		return nil
	}
	t := rv.Type()
	if (t == objectType || t == timeType || isTimestampStruct(t)) && !rv.CanInterface() {
		// Only reachable through an unexported embedded struct; reflection
		// cannot read these values there.
		return nil
	}
	switch t {
	case objectType:
		src := rv.Interface().(Object)
		out := make(Object, 0, len(src))
		for _, f := range src {
			out = append(out, Field{f.Name, c.convert(reflect.ValueOf(f.Value), depth+1)})
		}
		return out
	case timeType:
		return c.timestamp(rv.Interface().(time.Time))
	case numberType:
		return numberValue(rv.String())
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return c.convert(rv.Elem(), depth+1)
	case reflect.Struct:
		if isTimestampStruct(t) {
			return c.timestamp(rv.Field(0).Interface().(time.Time))
		}
		out := Object{}
		c.appendStructFields(&out, rv, depth)
		return out
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(rv.Bytes())
		}
		return c.list(rv, depth)
	case reflect.Array:
		return c.list(rv, depth)
	case reflect.Map:
		return c.mapObject(rv, depth)
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u)
		} else {
			return float64(u)
		}
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	// Channels, functions, complex numbers: nothing JSON could carry.
	return nil
}

func (c *converter) list(rv reflect.Value, depth int) []any {
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = c.convert(rv.Index(i), depth+1)
	}
	return out
}

func (c *converter) mapObject(rv reflect.Value, depth int) Object {
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, rv.Len())
	iter := rv.MapRange()
	for iter.Next() {
		entries = append(entries, entry{mapKey(iter.Key()), iter.Value()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	out := make(Object, 0, len(entries))
	for _, e := range entries {
		out = append(out, Field{e.key, c.convert(e.val, depth+1)})
	}
	return out
}

// mapKey names a map key the way encoding/json does for the key kinds it
// supports; anything else is formatted with its string form when it has one.
func mapKey(k reflect.Value) string {
	for k.Kind() == reflect.Interface && !k.IsNil() {
		k = k.Elem()
	}
	switch k.Kind() {
	case reflect.String:
		return k.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	}
	if k.CanInterface() {
		if s, ok := k.Interface().(interface{ String() string }); ok {
			return safeString(s)
		}
	}
	return ""
}

// safeString calls String without letting a broken implementation (for
// example a nil pointer receiver) panic through Tree.
func safeString(s interface{ String() string }) (out string) {
	defer func() {
		if recover() != nil {
			out = ""
		}
	}()
	return s.String()
}

func (c *converter) appendStructFields(out *Object, rv reflect.Value, depth int) {
	t := rv.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, opts, skip := fieldName(sf)
		if skip {
			continue
		}
		fv := rv.Field(i)
		if sf.Anonymous && name == "" {
			// Embedded struct without a tag name: promote its fields, as
			// encoding/json does.
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv, et = fv.Elem(), et.Elem()
			}
			if et.Kind() == reflect.Struct && !isTimestampStruct(et) && et != timeType {
				c.appendStructFields(out, fv, depth+1)
				continue
			}
			if !sf.IsExported() {
				continue
			}
		}
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(opts, ",omitempty,") && isEmptyValue(fv) {
			continue
		}
		if strings.Contains(opts, ",omitzero,") && fv.IsZero() {
			continue
		}
		*out = append(*out, Field{name, c.convert(fv, depth+1)})
	}
}

// fieldName splits a struct field's json tag. opts is ",opt1,opt2," so
// callers can search for ",omitempty,".
func fieldName(sf reflect.StructField) (name, opts string, skip bool) {
	if !sf.IsExported() && !sf.Anonymous {
		return "", "", true
	}
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "", "", true
	}
	name, rest, _ := strings.Cut(tag, ",")
	return name, "," + rest + ",", false
}

// isEmptyValue is encoding/json's omitempty test.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// isTimestampStruct reports whether t is a struct whose only field is an
// embedded time.Time (the shape of a service package's Timestamp type).
func isTimestampStruct(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t.NumField() != 1 {
		return false
	}
	f := t.Field(0)
	return f.Anonymous && f.Type == timeType
}

// timestamp renders t in the configured form. KMS carries milliseconds, so
// both forms show the instant truncated to the millisecond.
func (c *converter) timestamp(t time.Time) any {
	ms := t.UnixMilli()
	if c.wire {
		return float64(ms) / 1000
	}
	return isoformat(time.UnixMilli(ms).In(c.loc))
}

// isoformat is Python's datetime.isoformat() of an aware datetime:
// microseconds only when non-zero, offset as +HH:MM (+HH:MM:SS when the
// zone's offset has seconds).
func isoformat(t time.Time) string {
	var b strings.Builder
	b.WriteString(t.Format("2006-01-02T15:04:05"))
	if us := t.Nanosecond() / 1000; us != 0 {
		b.WriteString("." + pad(us, 6))
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	b.WriteString(sign + pad(off/3600, 2) + ":" + pad(off%3600/60, 2))
	if s := off % 60; s != 0 {
		b.WriteString(":" + pad(s, 2))
	}
	return b.String()
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// numberValue turns a json.Number into int64 when it is an integer literal
// that fits, float64 otherwise (nil when it is not a number at all).
func numberValue(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return nil
}

// lookup returns the value of the first field called name.
func lookup(obj Object, name string) (any, bool) {
	for _, f := range obj {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// sortedFields returns obj's fields sorted by name (Python's sorted() of a
// dict's items), leaving obj untouched.
func sortedFields(obj Object) Object {
	out := append(Object(nil), obj...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
