// Package param turns the strings a user types for `aws kms` options into
// typed Go values, the way the AWS CLI (v2 behaviour, v1-compatible text)
// does it.
//
// Scripts written for `aws kms` pass option values in many forms: shorthand
// (`purpose=demo,stage=test`, `TagKey=a,TagValue=b`), JSON
// (`'{"purpose":"demo"}'`), parameter files (`file://ctx.json`,
// `fileb://ct.bin`), base64 blobs and plain words for lists. pkms must parse
// every one of them identically — same values, same edge cases (`a=b,c`
// becomes a list), same error text — or those scripts silently change
// meaning. This package therefore follows the AWS CLI's rules for each form:
//
//   - awscli/paramfile.py: file:// and fileb:// values ([LoadValue]);
//   - shorthand syntax ([Shorthand], shorthand.go): comma-separated
//     key=value pairs whose values are words, bare comma lists, [..] lists,
//     {k=v} structures or quoted strings, with "@=" loading file:// and
//     fileb:// values. pkms has its own parser for it because no Go library
//     speaks this grammar, and scripts depend on its exact corners (where a
//     bare list ends, which characters a word may hold, the caret lines in
//     its errors);
//   - JSON values, decoded by encoding/json, with Python's error messages
//     ("Expecting ',' delimiter: line 1 column 9 (char 8)") located from
//     the decoder's position (json.go);
//   - awscli/argprocess.py: when a value is JSON, shorthand or a word list
//     ([Structure], [StringMap], [StringList], [StructureList]);
//   - base64.b64decode (non-strict) for v2 blob input ([Blob]);
//   - int() for integer options ([Int]);
//   - botocore's "Invalid type for parameter" validation messages for values
//     whose Go type is fixed by this API.
//
// Every failure is reported as an *[Error] whose Error() text is exactly what
// the AWS CLI prints between its leading and trailing newline.
package param
