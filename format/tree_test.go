package format

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type treeInner struct {
	Z string `json:"Z"`
	A string `json:"A"`
}

type treeEmbedded struct {
	Promoted string `json:"Promoted,omitempty"`
}

type treeShape struct {
	treeEmbedded
	Name        string            `json:"Name,omitempty"`
	Always      string            `json:"Always"`
	Skipped     string            `json:"-"`
	hidden      string            //nolint:unused // must not appear
	NilPtr      *string           `json:"NilPtr,omitempty"`
	FalsePtr    *bool             `json:"FalsePtr,omitempty"`
	ZeroPtr     *int32            `json:"ZeroPtr,omitempty"`
	ZeroInt     int               `json:"ZeroInt,omitempty"`
	KeptZero    int64             `json:"KeptZero"`
	Empty       []string          `json:"Empty,omitempty"`
	NilList     []algorithm       `json:"NilList"`
	Blob        []byte            `json:"Blob,omitempty"`
	Named       keyUsage          `json:"Named,omitempty"`
	Map         map[string]string `json:"Map,omitempty"`
	IntMap      map[int]bool      `json:"IntMap,omitempty"`
	Inner       *treeInner        `json:"Inner,omitempty"`
	Untagged    uint8
	Float       float32        `json:"Float,omitempty"`
	Number      json.Number    `json:"Number,omitempty"`
	Any         any            `json:"Any,omitempty"`
	Generic     map[string]any `json:"Generic,omitempty"`
	OmitZero    time.Time      `json:"OmitZero,omitzero"`
	Timestamp   ts             `json:"Timestamp"`
	RawTime     *time.Time     `json:"RawTime,omitempty"`
	Unsupported func()         `json:"Unsupported"`
}

func TestTreeConversion(t *testing.T) {
	when := time.UnixMilli(1763796691242)
	v := &treeShape{
		treeEmbedded: treeEmbedded{Promoted: "up"},
		Name:         "n",
		Skipped:      "x",
		hidden:       "x",
		FalsePtr:     ptr(false),
		ZeroPtr:      ptr(int32(0)),
		Empty:        []string{},
		Blob:         []byte("hello"),
		Named:        "ENCRYPT_DECRYPT",
		Map:          map[string]string{"b": "2", "a": "1"},
		IntMap:       map[int]bool{10: true, 9: false},
		Inner:        &treeInner{Z: "z", A: "a"},
		Untagged:     200,
		Float:        0.5,
		Number:       "42",
		Any:          []int{1},
		Generic:      map[string]any{"y": Object{{"q", &treeInner{}}}, "x": nil},
		Timestamp:    ts{when},
		RawTime:      &when,
	}
	want := Object{
		{"Promoted", "up"},
		{"Name", "n"},
		{"Always", ""},
		{"FalsePtr", false},
		{"ZeroPtr", int64(0)},
		{"KeptZero", int64(0)},
		{"NilList", []any{}},
		{"Blob", "aGVsbG8="},
		{"Named", "ENCRYPT_DECRYPT"},
		{"Map", Object{{"a", "1"}, {"b", "2"}}},
		{"IntMap", Object{{"10", true}, {"9", false}}},
		{"Inner", Object{{"Z", "z"}, {"A", "a"}}},
		{"Untagged", int64(200)},
		{"Float", 0.5},
		{"Number", int64(42)},
		{"Any", []any{int64(1)}},
		{"Generic", Object{{"x", nil}, {"y", Object{{"q", Object{{"Z", ""}, {"A", ""}}}}}}},
		{"Timestamp", 1763796691.242},
		{"RawTime", 1763796691.242},
		{"Unsupported", nil},
	}
	got := Tree(v, Options{TimestampFormat: TimestampWire})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tree:\n got %#v\nwant %#v", got, want)
	}
}

func TestTimestampsISO8601(t *testing.T) {
	pst := time.FixedZone("PST", -8*3600)
	ist := time.FixedZone("IST", 5*3600+30*60)
	lmt := time.FixedZone("LMT", -(4*3600 + 56*60 + 2))
	tests := []struct {
		name string
		in   time.Time
		loc  *time.Location
		want string
	}{
		{"utc with fraction", time.UnixMilli(1763796691242), time.UTC, "2025-11-22T07:31:31.242000+00:00"},
		{"utc whole second", time.UnixMilli(1763796691000), time.UTC, "2025-11-22T07:31:31+00:00"},
		{"negative offset", time.UnixMilli(1763796691242), pst, "2025-11-21T23:31:31.242000-08:00"},
		{"half hour offset", time.UnixMilli(1763796691500), ist, "2025-11-22T13:01:31.500000+05:30"},
		{"offset with seconds", time.UnixMilli(0), lmt, "1969-12-31T19:03:58-04:56:02"},
		{"sub-millisecond truncated", time.Unix(1763796691, 242999999), time.UTC, "2025-11-22T07:31:31.242000+00:00"},
		{"only sub-millisecond", time.Unix(1763796691, 999), time.UTC, "2025-11-22T07:31:31+00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tree(&ts{tt.in}, Options{Location: tt.loc})
			if got != tt.want {
				t.Errorf("got %v, want %s", got, tt.want)
			}
			out := renderString(t, Object{{"CreationDate", &ts{tt.in}}}, Options{Location: tt.loc})
			if want := "{\n    \"CreationDate\": \"" + tt.want + "\"\n}\n"; out != want {
				t.Errorf("json: got %q, want %q", out, want)
			}
		})
	}
}

func TestTimestampsWire(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.UnixMilli(1763796691242), "1763796691.242"},
		{time.UnixMilli(1763796691000), "1763796691.0"},
		{time.UnixMilli(1763796700100), "1763796700.1"},
		{time.Unix(1763796691, 5e8+999), "1763796691.5"},
	}
	for _, tt := range tests {
		got := renderString(t, Object{{"D", &ts{tt.in}}}, Options{Output: "text", TimestampFormat: TimestampWire})
		if got != tt.want+"\n" {
			t.Errorf("%v: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

type cyclic struct {
	Name string  `json:"Name"`
	Next *cyclic `json:"Next,omitempty"`
}

type hiddenEmbed struct{ Time time.Time }

type withHiddenEmbed struct {
	hiddenEmbed
	unexportedTS
	Visible string `json:"Visible"`
}

type unexportedTS struct{ ts }

func TestTreeNeverPanics(t *testing.T) {
	loop := &cyclic{Name: "a"}
	loop.Next = loop
	var nilIface any
	values := []any{
		nil, nilIface, loop, make(chan int), complex(1, 2), []any{nil, []any{}},
		map[any]string{1.5: "x"}, &withHiddenEmbed{Visible: "v"}, [2]byte{1, 2},
		struct{ A, B int }{1, 2}, Object{{"x", loop}},
	}
	for _, v := range values {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("Tree(%T) panicked: %v", v, r)
				}
			}()
			tree := Tree(v, Options{})
			for _, output := range []string{"json", "text", "table", "yaml", "yaml-stream"} {
				_, _ = render(tree, Options{Output: output})
			}
		}()
	}
}
