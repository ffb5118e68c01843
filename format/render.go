package format

import (
	"io"
)

// Output formats accepted in Options.Output.
const (
	OutputJSON       = "json"
	OutputText       = "text"
	OutputTable      = "table"
	OutputYAML       = "yaml"
	OutputYAMLStream = "yaml-stream"
	OutputOff        = "off"
)

// RenderError is a result the AWS CLI's formatter fails on (a Python
// exception there: the CLI prints the message to stderr and exits 255).
// Msg is that exception's text. Text output may have been partly written
// before the failure, as with the CLI.
type RenderError struct {
	Output string
	Msg    string
}

func (e *RenderError) Error() string { return e.Msg }

// UnknownOutputError is an Options.Output value this package cannot print.
type UnknownOutputError struct{ Output string }

func (e *UnknownOutputError) Error() string { return "unknown output format: " + e.Output }

// Render writes v in the chosen format to w, after applying opts.Query. If
// the (post-query) result is an empty object nothing at all is written.
//
// Errors: *QueryEvalError when the query fails on the data, *RenderError
// when the AWS CLI's formatter would fail on the result (text output then
// has written what the CLI prints before failing), *UnknownOutputError, or
// the writer's error.
func Render(w io.Writer, v any, opts Options) error {
	out, err := render(v, opts)
	if len(out) > 0 {
		if _, werr := w.Write(out); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// render produces the output in memory; on a *RenderError it returns the
// part the CLI would have printed before failing.
func render(v any, opts Options) ([]byte, error) {
	switch opts.Output {
	case "", OutputJSON, OutputText, OutputTable, OutputYAML, OutputYAMLStream, OutputOff:
	default:
		return nil, &UnknownOutputError{Output: opts.Output}
	}
	if p, ok := v.(Paginated); ok {
		return renderPages(p, opts)
	}
	return renderTree(Tree(v, opts), opts)
}

// queried is tree with opts.Query applied.
func queried(tree any, opts Options) (any, error) {
	if opts.Query == nil {
		return tree, nil
	}
	return opts.Query.search(tree)
}

// renderTree applies the query to a tree and prints the result.
func renderTree(tree any, opts Options) ([]byte, error) {
	result, err := queried(tree, opts)
	if err != nil {
		return nil, err
	}
	if obj, ok := result.(Object); ok && len(obj) == 0 {
		return nil, nil
	}
	switch opts.Output {
	case OutputText:
		return renderText(result)
	case OutputTable:
		return renderTable(result, opts.Title, opts.Width), nil
	case OutputYAML:
		return renderYAML(result, false)
	case OutputYAMLStream:
		return renderYAML(result, true)
	case OutputOff:
		return nil, nil
	}
	return renderJSON(result), nil
}
