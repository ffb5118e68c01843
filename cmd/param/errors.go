package param

import "strings"

// Error is a parameter parsing error. Its Error() text is the AWS CLI's text
// WITHOUT the leading/trailing newline, e.g.
// "Error parsing parameter '--encryption-context': Invalid JSON: ...\nJSON received: {not json".
//
// Most errors are argprocess ParamErrors and are printed as
// "Error parsing parameter '<Param>': <Msg>". A few AWS CLI errors are
// printed without that prefix (botocore "Parameter validation failed:"
// messages, `Invalid base64: "..."`, paramfile errors raised inside
// shorthand, int() errors); for those Error() is Msg alone. Param is still
// set when the parameter is known. An Error with an empty Param also prints
// as Msg alone.
//
// AWS CLI v2 exits 252 only for the errors it counts as parameter errors
// (argprocess's ParamError and ParamSyntaxError, botocore's parameter
// validation); the others are Python exceptions raised while converting a
// value (invalid base64, int(), recursion depth, a paramfile inside
// shorthand) and exit 255 like any other failure. Usage tells them apart.
type Error struct {
	Param string
	Msg   string

	bare    bool // print Msg without the "Error parsing parameter" prefix
	general bool // not a parameter error to the AWS CLI: exit 255
}

// Usage reports whether the AWS CLI counts the error as a parameter error
// (exit 252) rather than a general failure (exit 255).
func (e *Error) Usage() bool { return !e.general }

func (e *Error) Error() string {
	if e.bare || e.Param == "" {
		return e.Msg
	}
	return "Error parsing parameter '" + e.Param + "': " + e.Msg
}

// parseError is awscli's ParamError(cli_name, msg).
func parseError(param, msg string) *Error {
	return &Error{Param: param, Msg: msg}
}

// bareError is an exception the AWS CLI does not count as a parameter
// error: it prints the message alone and exits 255.
func bareError(param, msg string) *Error {
	return &Error{Param: param, Msg: msg, bare: true, general: true}
}

// validationError is botocore's ParamValidationError with one line per
// problem found.
func validationError(param string, problems []string) *Error {
	return &Error{Param: param, Msg: "Parameter validation failed:\n" + strings.Join(problems, "\n"), bare: true}
}

// invalidType is one botocore "Invalid type for parameter" line.
func invalidType(name string, v any, valid string) string {
	return "Invalid type for parameter " + name + ", value: " + pyRepr(v) +
		", type: " + pyTypeName(v) + ", valid types: " + valid
}

// Valid-type lists exactly as botocore prints them.
const (
	validStr  = "<class 'str'>"
	validDict = "<class 'dict'>"
	validList = "<class 'list'>, <class 'tuple'>"
)

// invalidJSON is the argprocess error for a structure given as a non-object.
func invalidJSON(param, value string) *Error {
	return parseError(param, "Invalid JSON:\n"+value)
}

// indexError is what Python prints when argprocess indexes an empty string
// (value.lstrip()[0]).
func indexError(param string) *Error {
	return bareError(param, "string index out of range")
}
