package format

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzRender feeds arbitrary JSON documents and query expressions through
// every output format: nothing may panic, JSON output must stay valid
// JSON, tables well formed, and YAML must read back as the JSON's value.
func FuzzRender(f *testing.F) {
	f.Add(`{"KeyMetadata": {"KeyId": "k", "Enabled": true, "CreationDate": 1763796691.0}}`, "KeyMetadata.{b: KeyId, a: Enabled}", 80)
	f.Add(`{"L": [1, "two", {"three": 3}, [4]]}`, "", 40)
	f.Add(`[[1, [2, []]], {}, null, "x"]`, "[0]", 10)
	f.Add(`{"Keys": [{"a": 1}, {"b": "\u2028"}]}`, "Keys[?a == `1`]", 0)
	f.Add(`{"": {"": [""]}}`, "*.*", 1)
	f.Add(`{"a": {"c": 1, "b": [1, 2]}}`, "merge(a, {d: 'it\\'s'}) | [keys(@), values(@), to_string(@), b[::-1], 'x' < 'y']", 20)
	f.Fuzz(func(t *testing.T, doc, query string, width int) {
		input, err := decodeOrdered([]byte(doc))
		if err != nil {
			return
		}
		opts := Options{Title: "Fuzz", Width: width % 300}
		if query != "" {
			if opts.Query, err = CompileQuery(query); err != nil {
				return
			}
		}
		var jsonOut []byte
		for _, output := range []string{"json", "text", "table", "yaml", "yaml-stream"} {
			opts.Output = output
			out, err := render(input, opts)
			if err != nil {
				continue
			}
			switch output {
			case "json":
				if len(out) > 0 && !json.Valid(out) {
					t.Fatalf("invalid JSON output %q", out)
				}
				jsonOut = out
			case "table":
				checkTableShape(t, string(out))
			case "yaml":
				// The YAML must hold what the JSON holds.
				var want any
				if len(jsonOut) == 0 || json.Unmarshal(jsonOut, &want) != nil {
					continue
				}
				if got := readYAML(t, out); !reflect.DeepEqual(got, want) {
					t.Fatalf("yaml %q reads back as %#v, json holds %#v", out, got, want)
				}
			}
		}
	})
}
