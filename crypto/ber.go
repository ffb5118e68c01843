package crypto

// AWS accepts imported private keys as BER- or DER-encoded PKCS#8, but the Go
// parsers only read DER. berToDER re-encodes the BER forms other tools write
// (indefinite lengths, non-minimal length octets, constructed OCTET STRINGs)
// as DER so the ordinary parsers can read them.

import (
	"bytes"
	"errors"
)

var errBER = errors.New("malformed BER")

const berMaxDepth = 32

// berToDER re-encodes one BER element (and nothing after it) as DER.
func berToDER(b []byte) ([]byte, error) {
	out, rest, err := berElement(b, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errBER
	}
	return out, nil
}

// normalizePKCS8 re-encodes a BER PrivateKeyInfo as DER, including the key
// structure inside its privateKey OCTET STRING, which the outer pass treats
// as opaque bytes.
func normalizePKCS8(b []byte) ([]byte, error) {
	der, err := berToDER(b)
	if err != nil {
		return nil, err
	}
	// der is SEQUENCE { version, algorithm, OCTET STRING privateKey, … }.
	_, content, _, err := derSplit(der)
	if err != nil {
		return nil, err
	}
	var fields [][]byte
	for len(content) > 0 {
		var elem []byte
		elem, content, err = derNext(content)
		if err != nil {
			return nil, err
		}
		fields = append(fields, elem)
	}
	if len(fields) < 3 || fields[2][0] != 0x04 {
		return der, nil
	}
	_, inner, _, err := derSplit(fields[2])
	if err != nil {
		return nil, err
	}
	if innerDER, err := berToDER(inner); err == nil {
		fields[2] = derEncode([]byte{0x04}, innerDER)
	}
	return derEncode([]byte{0x30}, bytes.Join(fields, nil)), nil
}

// berHeader reads a tag and length. length is -1 for the indefinite form.
func berHeader(b []byte) (tag []byte, length int, rest []byte, err error) {
	if len(b) < 2 {
		return nil, 0, nil, errBER
	}
	i := 1
	if b[0]&0x1f == 0x1f { // high tag number form
		for ; i < len(b) && b[i]&0x80 != 0; i++ {
			if i > 4 {
				return nil, 0, nil, errBER
			}
		}
		i++
	}
	if i >= len(b) {
		return nil, 0, nil, errBER
	}
	tag, l := b[:i], b[i]
	i++
	switch {
	case l < 0x80:
		length = int(l)
	case l == 0x80:
		if tag[0]&0x20 == 0 { // indefinite length is only for constructed
			return nil, 0, nil, errBER
		}
		length = -1
	default:
		n := int(l & 0x7f)
		if n > 4 || i+n > len(b) {
			return nil, 0, nil, errBER
		}
		for _, c := range b[i : i+n] {
			length = length<<8 | int(c)
		}
		i += n
	}
	if length < -1 || length > len(b)-i {
		return nil, 0, nil, errBER
	}
	return tag, length, b[i:], nil
}

// berElement re-encodes the first BER element of b and returns what follows.
func berElement(b []byte, depth int) (der, rest []byte, err error) {
	if depth > berMaxDepth {
		return nil, nil, errBER
	}
	tag, length, rest, err := berHeader(b)
	if err != nil {
		return nil, nil, err
	}
	if tag[0]&0x20 == 0 { // primitive: copy the content
		return derEncode(tag, rest[:length]), rest[length:], nil
	}
	var content []byte
	if length >= 0 {
		content, rest = rest[:length], rest[length:]
	} else {
		content = rest // children run until the end-of-contents octets
	}
	var children [][]byte
	for {
		if length < 0 && len(content) >= 2 && content[0] == 0 && content[1] == 0 {
			rest = content[2:]
			break
		}
		if len(content) == 0 {
			if length < 0 {
				return nil, nil, errBER // no end-of-contents
			}
			break
		}
		var child []byte
		child, content, err = berElement(content, depth+1)
		if err != nil {
			return nil, nil, err
		}
		children = append(children, child)
	}
	if len(tag) == 1 && tag[0] == 0x24 { // constructed OCTET STRING: DER is primitive
		var flat []byte
		for _, c := range children {
			ctag, cc, _, err := derSplit(c)
			if err != nil || len(ctag) != 1 || ctag[0] != 0x04 {
				return nil, nil, errBER
			}
			flat = append(flat, cc...)
		}
		return derEncode([]byte{0x04}, flat), rest, nil
	}
	return derEncode(tag, bytes.Join(children, nil)), rest, nil
}

// derSplit splits one DER element into tag and content.
func derSplit(b []byte) (tag, content, rest []byte, err error) {
	tag, length, rest, err := berHeader(b)
	if err != nil || length < 0 {
		return nil, nil, nil, errBER
	}
	return tag, rest[:length], rest[length:], nil
}

// derNext returns the first whole DER element of b and what follows it.
func derNext(b []byte) (elem, rest []byte, err error) {
	_, _, rest, err = derSplit(b)
	if err != nil {
		return nil, nil, err
	}
	return b[:len(b)-len(rest)], rest, nil
}

// derEncode writes tag, a minimal DER length and content.
func derEncode(tag, content []byte) []byte {
	out := append([]byte{}, tag...)
	n := len(content)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	default:
		var lb []byte
		for v := n; v > 0; v >>= 8 {
			lb = append([]byte{byte(v)}, lb...)
		}
		out = append(out, 0x80|byte(len(lb)))
		out = append(out, lb...)
	}
	return append(out, content...)
}
