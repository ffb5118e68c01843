package kms

import (
	"reflect"
	"strings"
)

// AWS sends some list members in every response, as [] when they are
// empty (ListKeys' Keys, ListResourceTags' Tags, ...); the model marks them
// by leaving omitempty out of their json tag. encoding/json writes a nil
// slice as null, so fillLists makes every such nil slice in a response an
// empty one before it leaves the service: SDK clients then get [] on the
// wire, never null or a missing member.
func fillLists(out any) {
	fillValue(reflect.ValueOf(out), 0)
}

// fillValue walks pointers, structs and slices of structs. The model's
// types do not nest deeply; depth only guards against a cyclic value.
func fillValue(v reflect.Value, depth int) {
	if depth > 32 || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			fillValue(v.Elem(), depth+1)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			fillValue(v.Index(i), depth+1)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f, sf := v.Field(i), t.Field(i)
			if !sf.IsExported() {
				continue
			}
			if sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() != reflect.Uint8 && f.IsNil() && alwaysSent(sf) {
				if f.CanSet() {
					f.Set(reflect.MakeSlice(sf.Type, 0, 0))
				}
				continue
			}
			fillValue(f, depth+1)
		}
	}
}

// alwaysSent reports whether a member's json tag names it without
// omitempty (the model's mark for members AWS always sends).
func alwaysSent(sf reflect.StructField) bool {
	tag, ok := sf.Tag.Lookup("json")
	if !ok || tag == "-" {
		return false
	}
	_, opts, _ := strings.Cut(tag, ",")
	return !strings.Contains(","+opts+",", ",omitempty,")
}
