package main

import "testing"

func TestHTMLText(t *testing.T) {
	tests := []struct {
		name  string
		html  string
		width int
		want  string
	}{
		{"inline markup keeps only its text",
			`<p>The key state is <code>Disabled</code>, see <a href="https://example.com/x">key states</a> in the <i>Developer Guide</i>; <b>Required</b>.</p>`, 0,
			"The key state is Disabled, see key states in the Developer Guide; Required."},
		{"whitespace collapses, empty paragraphs vanish",
			"<p>  one\n  two </p> <p> </p><p/> <p>three</p>", 0,
			"one two\n\nthree"},
		{"entities are decoded",
			`<p>Use <code>alias/&lt;name&gt;</code> &amp; more.</p>`, 0,
			"Use alias/<name> & more."},
		{"unordered list with paragraphs inside items",
			`<p>Related:</p> <ul> <li> <p> <a>DescribeKey</a> </p> </li> <li> <p>ListKeys</p> </li> </ul> <p>After.</p>`, 0,
			"Related:\n\n  - DescribeKey\n  - ListKeys\n\nAfter."},
		{"ordered and nested lists",
			`<ol><li>first<ul><li>inner</li></ul></li><li>second</li></ol>`, 0,
			"  1. first\n    - inner\n  2. second"},
		{"a second paragraph of an item is indented under its text",
			`<ul><li><p>head</p><p>more</p></li></ul>`, 0,
			"  - head\n    more"},
		{"note and important label their paragraph",
			`<note><p>Keep it.</p></note><important><p>Really.</p></important>`, 0,
			"Note: Keep it.\n\nImportant: Really."},
		{"definition list",
			`<dl><dt>Term</dt><dd><p>Meaning of it.</p></dd></dl>`, 0,
			"Term\n\n    Meaning of it."},
		{"wrapping at the width, list items with a hanging indent",
			`<p>aaa bbb ccc ddd</p><ul><li>eee fff ggg</li></ul>`, 12,
			"aaa bbb ccc\nddd\n\n  - eee fff\n    ggg"},
		{"a word longer than the width stays whole",
			`<p>abcdefghijkl x</p>`, 5,
			"abcdefghijkl\nx"},
		{"unknown tags keep their text; a lone < is text",
			`<p><fullname>AWS KMS</fullname> a < b</p>`, 0,
			"AWS KMS a < b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlText(tt.html, tt.width); got != tt.want {
				t.Errorf("htmlText(%q, %d) =\n%q\nwant\n%q", tt.html, tt.width, got, tt.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := []struct{ html, want string }{
		{`<p>Cancels the deletion of a KMS key. When this operation succeeds, the key is <code>Disabled</code>.</p>`,
			"Cancels the deletion of a KMS key."},
		{`<p>Use a grant token, e.g. one from <a>CreateGrant</a>. More.</p>`,
			"Use a grant token, e.g. one from CreateGrant."},
		{`<p>The version is 1.2 here. Then 3.</p>`, "The version is 1.2 here."},
		{`<p> </p><p>Skips empty paragraphs.</p>`, "Skips empty paragraphs."},
		{`<p>Decrypts what these made:</p> <ul> <li> <p> <a>Encrypt</a> </p> </li> <li> <p>GenerateDataKey</p> </li> </ul> <p>Later.</p>`,
			"Decrypts what these made: Encrypt, GenerateDataKey."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := summary(tt.html); got != tt.want {
			t.Errorf("summary(%q) = %q, want %q", tt.html, got, tt.want)
		}
	}
}
