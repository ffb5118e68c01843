package cmd

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestVaultPermissionDenied: a vault file pkms may not open (read-only for
// its owner, when a write needs it) is a vault failure, exit 253, in words
// with a hint, never exit 255 with Go's error text.
func TestVaultPermissionDenied(t *testing.T) {
	const path = "/home/u/.local/share/pkms/vault.pkms"
	denied := fmt.Errorf("vault: %w", &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES})
	readOnlyFS := fmt.Errorf("vault: %w", &fs.PathError{Op: "open", Path: path, Err: syscall.EROFS})
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"met while working (a write opens the file)", vaultFailure(denied),
			"pkms: cannot open the vault file " + path + ": permission denied\nhint: pkms reads and writes the vault file: it must be yours with mode 0600 (chmod 600 " + path + ")\n"},
		{"met while unlocking", unlockError(path, denied),
			"pkms: cannot open the vault file " + path + ": permission denied\nhint: pkms reads and writes the vault file: it must be yours with mode 0600 (chmod 600 " + path + ")\n"},
		{"read-only file system", vaultFailure(readOnlyFS),
			"pkms: cannot open the vault file " + path + ": read-only file system\nhint: the vault's file system is mounted read-only; pkms writes the vault file on every change\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if code := report(&b, tt.err); code != exitVault || b.String() != tt.want {
				t.Fatalf("exit %d, stderr %q\nwant exit %d, stderr %q", code, b.String(), exitVault, tt.want)
			}
		})
	}
	if !isVaultError(denied) || !isVaultError(readOnlyFS) {
		t.Fatal("a permission error from the vault is not classified as a vault error (the session and the agent would exit 255)")
	}

}

// TestVaultReadOnlyFile is the real path: create-key on a vault file that
// is read-only for its owner. Root writes read-only files, so as root the
// test runs itself again as nobody.
func TestVaultReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		runAsNobody(t, "TestVaultReadOnlyFile")
		return
	}
	envs := vaultEnv(t)
	if err := os.Chmod(envs["PKMS_VAULT"], 0o400); err != nil {
		t.Fatal(err)
	}
	r := runReal(envs, "create-key")
	want := "pkms: cannot open the vault file " + envs["PKMS_VAULT"] + ": permission denied\nhint: "
	if r.code != exitVault || !strings.HasPrefix(r.stderr, want) {
		t.Fatalf("create-key on a read-only vault: exit %d, stderr %q; want exit 253, stderr starting %q", r.code, r.stderr, want)
	}
	if r := runReal(envs, "list-keys"); r.code != 0 {
		t.Fatalf("list-keys on a read-only vault: exit %d, %s", r.code, r.stderr)
	}
}

// runAsNobody runs test name of this test binary as uid/gid 65534, from a
// copy of the binary nobody can execute, and fails unless it passed there.
func runAsNobody(t *testing.T, name string) {
	t.Helper()
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("running as root without setpriv to drop privileges: a read-only file does not stop root")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "pkms-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin, tmp := filepath.Join(dir, "cmd.test"), filepath.Join(dir, "tmp")
	data, err := os.ReadFile(self)
	if err == nil {
		err = os.WriteFile(bin, data, 0o755)
	}
	if err == nil {
		err = os.Mkdir(tmp, 0o700)
	}
	if err == nil {
		err = os.Chown(tmp, 65534, 65534)
	}
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-test.run=^"+name+"$", "-test.count=1", "-test.v")
	c.Env = []string{"TMPDIR=" + tmp, "HOME=" + tmp, "PATH=" + os.Getenv("PATH")}
	out, err := c.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}

// TestVaultOpenToOthersWarning: a vault file with group or other
// permissions is used, with one warning per command on stderr, as ssh
// warns about a private key file.
func TestVaultOpenToOthersWarning(t *testing.T) {
	envs := vaultEnv(t)
	path := envs["PKMS_VAULT"]
	warning := "warning: permissions %04o for the vault file " + path + " are too open: " +
		"anyone who can copy it can try passphrases offline; run: chmod 600 " + path + "\n"
	tests := []struct {
		mode fs.FileMode
		args []string
		warn bool
	}{
		{0o600, []string{"list-keys"}, false},
		{0o400, []string{"list-keys"}, false},
		{0o640, []string{"list-keys"}, true},
		{0o604, []string{"list-keys"}, true},
		{0o620, []string{"list-keys"}, true},
		{0o644, []string{"create-key", "--query", "KeyMetadata.Enabled"}, true},
		{0o644, []string{"vault", "info", "--query", "Keys"}, true}, // reads the header, then unlocks: still one warning
	}
	for _, tt := range tests {
		if err := os.Chmod(path, tt.mode); err != nil {
			t.Fatal(err)
		}
		r := runReal(envs, tt.args...)
		want := ""
		if tt.warn {
			want = fmt.Sprintf(warning, tt.mode)
		}
		if r.code != 0 || r.stderr != want {
			t.Errorf("%04o %v: exit %d, stderr %q; want exit 0, stderr %q", tt.mode, tt.args, r.code, r.stderr, want)
		}
	}
}
