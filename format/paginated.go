package format

import "bytes"

// Paginated is a list operation's result as the AWS CLI's paginator yields
// it. The CLI prints it in two ways, and a script can see the difference:
// json, table and yaml print one merged result (every page's items under
// ResultKey, then NextToken), with --query applied once; text and
// yaml-stream print page by page, with --query applied to each page, and
// text then prints the resume token as a page of its own
// ({"NextToken": {"NextToken": token}}), so that
// `--query 'Keys[].KeyId' --max-items 1 --output text` prints the id and
// then None.
type Paginated struct {
	// ResultKey is the member that holds the items ("Keys", "Aliases").
	ResultKey string
	// Pages are the service's responses in order, each with its list cut
	// to the items the paginator kept (a --starting-token skips the head
	// of the first page, --max-items cuts the tail of the last).
	Pages []any
	// NextToken resumes after the last item printed; empty when nothing
	// remains.
	NextToken string
}

// items is the page's list of items; a page without the member (a nil list
// dropped by omitempty) has none.
func (p Paginated) items(page any) []any {
	obj, _ := page.(Object)
	items, _ := lookup(obj, p.ResultKey)
	list, _ := items.([]any)
	return list
}

// merged is botocore's build_full_result: the items of all pages under
// ResultKey, then NextToken when the result was cut short.
func (p Paginated) merged(opts Options) Object {
	all := []any{}
	for _, page := range p.Pages {
		all = append(all, p.items(Tree(page, opts))...)
	}
	out := Object{{Name: p.ResultKey, Value: all}}
	if p.NextToken != "" {
		out = append(out, Field{Name: "NextToken", Value: p.NextToken})
	}
	return out
}

// renderPages prints p page by page, as awscli's TextFormatter and
// StreamedYAMLFormatter do; other formats print the merged result.
func renderPages(p Paginated, opts Options) ([]byte, error) {
	var pages []any
	switch opts.Output {
	case OutputText:
		// Only the list member of each page, as the formatter rebuilds it.
		for _, page := range p.Pages {
			pages = append(pages, Object{{Name: p.ResultKey, Value: nonNil(p.items(Tree(page, opts)))}})
		}
		if p.NextToken != "" {
			pages = append(pages, Object{{Name: "NextToken", Value: Object{{Name: "NextToken", Value: p.NextToken}}}})
		}
	case OutputYAMLStream:
		// The whole page as the service sent it (Truncated, NextMarker),
		// without a NextToken.
		for _, page := range p.Pages {
			pages = append(pages, Tree(page, opts))
		}
	default:
		return renderTree(p.merged(opts), opts)
	}
	var b bytes.Buffer
	for _, page := range pages {
		result, err := queried(page, opts)
		if err != nil {
			return b.Bytes(), err
		}
		var out []byte
		if opts.Output == OutputText {
			out, err = renderText(result)
		} else {
			out, err = renderYAML(result, true)
		}
		b.Write(out)
		if err != nil {
			return b.Bytes(), err
		}
	}
	return b.Bytes(), nil
}

func nonNil(list []any) []any {
	if list == nil {
		return []any{}
	}
	return list
}
