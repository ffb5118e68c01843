package cmd

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/pocketkms/pkms/format"
	"github.com/pocketkms/pkms/kms"
)

// The AWS CLI pages list operations itself: by default it follows
// NextMarker until Truncated is false and prints one merged result with
// only the result key; --max-items stops early and adds a NextToken that
// --starting-token resumes from. The token is botocore's: base64 of
// {"Marker": <service marker or null>, "boto_truncate_amount": <items of
// that page already returned>}. paginate hands the pages themselves to
// format, which prints text and yaml-stream page by page as the CLI does.

type pagination struct {
	startingToken string
	pageSize      int
	maxItems      int
	maxItemsSet   bool
	explicit      bool // --limit or --marker given: one raw page, as the CLI does
}

func isPaginated(op *kms.Operation) bool {
	_, hasMarker := op.Input.FieldByName("Marker")
	_, hasNext := op.Output.FieldByName("NextMarker")
	return hasMarker && hasNext
}

// resultField is the output member that holds the page's items.
func resultField(t reflect.Type) reflect.StructField {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.Type.Kind() == reflect.Slice {
			return f
		}
	}
	panic("cmd: paginated output without a list member: " + t.Name())
}

type pageToken struct {
	Marker   string
	Truncate int
}

// encode writes the token exactly as botocore does (json.dumps default
// separators, Marker first).
func (t pageToken) encode() string {
	marker := "null"
	if t.Marker != "" {
		b, _ := json.Marshal(t.Marker)
		marker = string(b)
	}
	s := `{"Marker": ` + marker
	if t.Truncate > 0 {
		s += `, "boto_truncate_amount": ` + strconv.Itoa(t.Truncate)
	}
	return base64.StdEncoding.EncodeToString([]byte(s + "}"))
}

func decodeToken(s string) (pageToken, error) {
	if s == "" {
		return pageToken{}, nil
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	var v struct {
		Marker   *string `json:"Marker"`
		Truncate int     `json:"boto_truncate_amount"`
	}
	if err != nil || json.Unmarshal(raw, &v) != nil || v.Truncate < 0 {
		return pageToken{}, &paramFailure{fmt.Errorf("Error during pagination: invalid --starting-token %q", s)}
	}
	t := pageToken{Truncate: v.Truncate}
	if v.Marker != nil {
		t.Marker = *v.Marker
	}
	return t, nil
}

func (g *globals) paginate(ctx context.Context, s invoker, op *kms.Operation, in any, pg *pagination) (any, error) {
	inV := reflect.ValueOf(in).Elem()
	if pg.pageSize > 0 {
		n := int32(pg.pageSize)
		inV.FieldByName("Limit").Set(reflect.ValueOf(&n))
	}
	if g.noPaginate || pg.explicit {
		var given []string
		if pg.maxItemsSet {
			given = append(given, "--max-items")
		}
		if pg.pageSize > 0 {
			given = append(given, "--page-size")
		}
		if pg.startingToken != "" {
			given = append(given, "--starting-token")
		}
		if g.noPaginate && len(given) > 0 {
			return nil, &paramFailure{fmt.Errorf("Error during pagination: Cannot specify --no-paginate along with pagination arguments: %s", strings.Join(given, ", "))}
		}
		return s.invoke(ctx, op, in)
	}
	tok, err := decodeToken(pg.startingToken)
	if err != nil {
		return nil, err
	}
	if pg.maxItemsSet && pg.maxItems <= 0 {
		fmt.Fprintln(g.env.stderr, "warning: Non-positive values for --max-items may result in undefined behavior.")
	}
	rf := resultField(op.Output)
	result := format.Paginated{ResultKey: jsonName(rf)}
	total := 0
	marker, skip := tok.Marker, tok.Truncate
	for {
		inV.FieldByName("Marker").SetString(marker)
		out, err := s.invoke(ctx, op, in)
		if err != nil {
			return nil, err
		}
		outV := reflect.ValueOf(out).Elem()
		page := outV.FieldByIndex(rf.Index)
		start, end := min(skip, page.Len()), page.Len()
		if pg.maxItemsSet && total+end-start > pg.maxItems {
			end = start + max(pg.maxItems-total, 0)
			result.NextToken = pageToken{Marker: marker, Truncate: end}.encode()
		}
		// The page keeps only the items printed, as botocore trims it.
		kept := reflect.MakeSlice(page.Type(), 0, end-start)
		page.Set(reflect.AppendSlice(kept, page.Slice(start, end)))
		result.Pages = append(result.Pages, out)
		total += end - start
		skip = 0
		truncated := outV.FieldByName("Truncated")
		more := !truncated.IsNil() && truncated.Elem().Bool()
		if result.NextToken != "" || !more {
			break
		}
		nextMarker := outV.FieldByName("NextMarker").String()
		if pg.maxItemsSet && total >= pg.maxItems {
			result.NextToken = pageToken{Marker: nextMarker}.encode()
			break
		}
		marker = nextMarker
	}
	return result, nil
}

// listFlagNames are the options whose value is a list: like argparse's
// nargs='*', they take every following word up to the next option.
func listFlagNames() map[string]bool {
	names := map[string]bool{}
	for _, op := range kms.Operations() {
		for i := 0; i < op.Input.NumField(); i++ {
			f := op.Input.Field(i)
			if k := kindOf(f.Type); k == kindList || k == kindStructList {
				names["--"+kebab(jsonName(f))] = true
			}
		}
	}
	return names
}

// expandListFlags rewrites "--tags a b" as "--tags=a --tags=b" (and a bare
// "--tags" as one empty-list marker) so that the flag parser sees one value
// per occurrence.
func expandListFlags(args []string) []string {
	lists := listFlagNames()
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if !lists[a] {
			out = append(out, a)
			continue
		}
		n := 0
		for i+1 < len(args) && !looksLikeOption(args[i+1]) {
			i++
			n++
			out = append(out, a+"="+args[i])
		}
		if n == 0 {
			out = append(out, a+"="+emptyList)
		}
	}
	return out
}

func looksLikeOption(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err != nil
}
