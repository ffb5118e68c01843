package pkcs11

import (
	"os"
	"path/filepath"
	"strings"
)

// Where PKCS#11 modules usually live, most specific first: YubiKey
// (ykcs11), OpenSC (smart cards and the YubiKey PIV applet), SoftHSM2.
var (
	moduleDirs  = []string{"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib64/pkcs11", "/usr/lib", "/usr/local/lib", "/opt/homebrew/lib"}
	moduleNames = []string{"libykcs11.so", "libykcs11.dylib", "opensc-pkcs11.so", "pkcs11/opensc-pkcs11.so",
		"libsofthsm2.so", "softhsm/libsofthsm2.so", "softhsm/libsofthsm2.dylib"}
)

// KnownModules lists the PKCS#11 modules installed at the usual paths, in
// the order above, so that a caller given only a token label can look for
// it in each. It loads nothing.
func KnownModules() []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range moduleNames {
		for _, dir := range moduleDirs {
			p := filepath.Join(dir, name)
			real, err := filepath.EvalSymlinks(p)
			if err != nil || seen[real] {
				continue // absent, or a link to one already listed
			}
			seen[real] = true
			if st, err := os.Stat(real); err == nil && st.Mode().IsRegular() {
				out = append(out, p)
			}
		}
	}
	return out
}

// SoftHSMModule is the first installed SoftHSM2 module, or "": tests use
// it to make throw-away tokens.
func SoftHSMModule() string {
	for _, m := range KnownModules() {
		if strings.Contains(filepath.Base(m), "softhsm") {
			return m
		}
	}
	return ""
}

// SameModule reports whether two module paths name the same file.
func SameModule(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}
