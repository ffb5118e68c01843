package param

// Values of --cli-binary-format (and the cli_binary_format config key).
const (
	FormatBase64         = "base64"            // v2 default: blob input is base64
	FormatRawInBase64Out = "raw-in-base64-out" // v1 behaviour: blob input is raw
)

// Blob returns the bytes of a blob parameter. binaryFormat is "base64" (the
// v2 default, also used when binaryFormat is "") or "raw-in-base64-out".
// fileb:// → raw bytes. Otherwise (plain string or file:// text): base64 →
// decoded like Python's base64.b64decode (non-strict: characters outside the
// alphabet are discarded, then the padding must be right, else the error
// `Invalid base64: "<value>"`); raw-in-base64-out → the UTF-8 bytes as given.
func Blob(param, value, binaryFormat string) ([]byte, error) {
	data, isFileb, err := LoadValue(param, value)
	if err != nil || isFileb {
		return data, err
	}
	switch binaryFormat {
	case FormatBase64, "":
		out, msg := b64decode(data)
		if msg != "" {
			return nil, bareError(param, msg)
		}
		return out, nil
	case FormatRawInBase64Out:
		return data, nil
	}
	return nil, bareError(param, "Invalid value for cli_binary_format: "+pyReprStr(binaryFormat)+
		", valid values: "+FormatBase64+", "+FormatRawInBase64Out)
}

// b64decode is base64.b64decode(str) with validate=False, i.e.
// binascii.a2b_base64(strict_mode=False). errMsg is the text the AWS CLI
// prints when it fails.
func b64decode(data []byte) (out []byte, errMsg string) {
	for _, c := range data {
		if c >= 0x80 {
			// b64decode encodes a str argument as ASCII first; the ValueError
			// is not one the v2 blob visitor catches, so its text is printed.
			return nil, "string argument should contain only ASCII characters"
		}
	}
	out = make([]byte, 0, len(data)*3/4)
	var quadPos, pads int
	var left byte
	for _, c := range data {
		if c == '=' {
			if quadPos >= 2 {
				pads++
				if quadPos+pads >= 4 {
					return out, "" // a complete pad sequence ends the data
				}
			}
			continue
		}
		v := b64value(c)
		if v < 0 {
			continue // not in the alphabet: discarded
		}
		pads = 0
		switch quadPos {
		case 0:
			left = byte(v)
		case 1:
			out = append(out, left<<2|byte(v)>>4)
			left = byte(v) & 0x0f
		case 2:
			out = append(out, left<<4|byte(v)>>2)
			left = byte(v) & 0x03
		case 3:
			out = append(out, left<<6|byte(v))
		}
		quadPos = (quadPos + 1) % 4
	}
	if quadPos != 0 {
		return nil, `Invalid base64: "` + string(data) + `"`
	}
	return out, ""
}

// b64value is the standard-alphabet value of c, or -1.
func b64value(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
