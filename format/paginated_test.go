package format

import "testing"

func TestPaginatedRendering(t *testing.T) {
	type entry struct {
		KeyId string `json:"KeyId"`
	}
	type page struct {
		Keys       []entry `json:"Keys,omitempty"`
		NextMarker string  `json:"NextMarker,omitempty"`
		Truncated  bool    `json:"Truncated"`
	}
	p := Paginated{ResultKey: "Keys", NextToken: "tok", Pages: []any{
		&page{Keys: []entry{{"k1"}, {"k2"}}, NextMarker: "k2", Truncated: true},
		&page{Keys: nil, NextMarker: "k3", Truncated: true}, // an empty page
		&page{Keys: []entry{{"k3"}}, NextMarker: "k3", Truncated: true},
	}}
	ids := mustCompile(t, "Keys[].KeyId")
	first := mustCompile(t, "Keys[0].KeyId")
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"json merges the pages and ends with NextToken", Options{Output: "json", Query: ids}, "[\n    \"k1\",\n    \"k2\",\n    \"k3\"\n]\n"},
		{"json without query", Options{Output: "json"},
			"{\n    \"Keys\": [\n        {\n            \"KeyId\": \"k1\"\n        },\n        {\n            \"KeyId\": \"k2\"\n        },\n        {\n            \"KeyId\": \"k3\"\n        }\n    ],\n    \"NextToken\": \"tok\"\n}\n"},
		{"text: rows page by page, token last", Options{Output: "text"}, "KEYS\tk1\nKEYS\tk2\nKEYS\tk3\nNEXTTOKEN\ttok\n"},
		{"text: query per page and on the token page", Options{Output: "text", Query: first}, "k1\nNone\nk3\nNone\n"},
		{"yaml merged (a scalar prints as JSON)", Options{Output: "yaml", Query: first}, "\"k1\"\n"},
		{"yaml-stream: each page, no token", Options{Output: "yaml-stream", Query: first}, "- k1\n- null\n- k3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderString(t, p, tt.opts); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func mustCompile(t *testing.T, expr string) *Query {
	t.Helper()
	q, err := CompileQuery(expr)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
