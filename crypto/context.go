package crypto

import (
	"encoding/binary"
	"sort"
)

// EncryptionContextAAD canonicalises an encryption context into the bytes
// used as additional authenticated data. Pairs are sorted by key (bytewise)
// and each key and value is length-prefixed, so no two different contexts
// share an encoding and the order in which a caller gave the pairs does not
// matter. An empty or nil context encodes as a zero count.
func EncryptionContextAAD(ctx map[string]string) []byte {
	keys := make([]string, 0, len(ctx))
	size := 4
	for k, v := range ctx {
		keys = append(keys, k)
		size += 8 + len(k) + len(v)
	}
	sort.Strings(keys)
	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint32(out, uint32(len(keys)))
	for _, k := range keys {
		v := ctx[k]
		out = binary.BigEndian.AppendUint32(out, uint32(len(k)))
		out = append(out, k...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(v)))
		out = append(out, v...)
	}
	return out
}
