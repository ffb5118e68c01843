package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRenderBar(t *testing.T) {
	tests := []struct {
		done, total, width int
		want               string
	}{
		{0, 100, 50, "pkms: work [>                        ]   0% 0/100"},
		{50, 100, 50, "pkms: work [============>           ]  50% 50/100"},
		{100, 100, 50, "pkms: work [=======================] 100% 100/100"},
		{150, 100, 50, "pkms: work [=======================] 100% 100/100"}, // clamped
		{-5, 100, 50, "pkms: work [>                        ]   0% 0/100"},
		{0, 0, 50, "pkms: work [===========================] 100% 1/1"}, // nothing to do
		{5, 10, 30, "pkms: work  50% 5/10"},                             // too narrow for a bar
	}
	for _, tc := range tests {
		got := renderBar("work", tc.done, tc.total, tc.width)
		if got != tc.want {
			t.Errorf("renderBar(%d, %d, %d) = %q, want %q", tc.done, tc.total, tc.width, got, tc.want)
		}
		if strings.Contains(got, "[") && len(got) != tc.width-1 {
			t.Errorf("renderBar(%d, %d, %d) is %d wide, want the terminal's %d-1", tc.done, tc.total, tc.width, len(got), tc.width)
		}
	}
}

// A bar draws only once the work has run for progressDelay since its first
// report (time spent before, such as scrypt, does not count), and finish
// clears only what was drawn.
func TestProgressBarDelay(t *testing.T) {
	var out strings.Builder
	now := time.Unix(1700000000, 0)
	p := &progressBar{w: &out, label: "x", width: 40, now: func() time.Time { return now }}
	now = now.Add(time.Hour) // slow work before the first report
	p.update(0, 10)
	p.update(1, 10)
	p.finish()
	if out.Len() != 0 {
		t.Fatalf("a quick job drew %q", out.String())
	}
	now = now.Add(progressDelay)
	p.update(2, 10)
	p.finish()
	if !strings.HasPrefix(out.String(), "\rpkms: x [") || !strings.HasSuffix(out.String(), "\r") {
		t.Fatalf("drawn %q", out.String())
	}
	var nilBar *progressBar
	nilBar.update(1, 2) // a nil bar (stderr not a terminal) does nothing
	nilBar.finish()
}

// Destructive vault commands refuse without a terminal unless --yes is
// given, and touch nothing.
func TestConfirmWithoutTerminal(t *testing.T) {
	g := newGlobals(&env{getenv: func(string) string { return "" }, stderr: &strings.Builder{},
		tty: func() (*os.File, error) { return nil, os.ErrNotExist }})
	if err := g.confirm("Remove it?", true); err != nil {
		t.Fatalf("--yes: %v", err)
	}
	err := g.confirm("Remove it?", false)
	var ue *usageError
	if !errors.As(err, &ue) || !strings.Contains(ue.msg, "pass --yes") {
		t.Fatalf("err = %v, want a usage error asking for --yes", err)
	}
}

func TestPKCS11ModulesEnv(t *testing.T) {
	mod := filepath.Join(t.TempDir(), "libtoken.so")
	if got := pkcs11Modules(mod); len(got) != 1 || got[0] != mod {
		t.Fatalf("pkcs11Modules(%q) = %v", mod, got)
	}
}

// A malformed region is refused before anything runs, in the AWS CLI's words
// and with its exit code, from the flag or the environment.
func TestInvalidRegion(t *testing.T) {
	for _, tc := range []struct {
		envs map[string]string
		args []string
		bad  string
	}{
		{nil, []string{"list-keys", "--region", "us east!"}, "us east!"},
		{map[string]string{"AWS_REGION": "123"}, []string{"list-keys"}, "123"},
		{map[string]string{"AWS_DEFAULT_REGION": "a_b"}, []string{"vault", "info"}, "a_b"},
	} {
		rec := &recorder{}
		r := runWith(t, rec, tc.envs, tc.args...)
		want := "\nProvided region_name '" + tc.bad + "' doesn't match a supported format.\n"
		if r.code != 255 || r.stderr != want || len(rec.inputs) != 0 {
			t.Errorf("%v: exit %d, stderr %q, %d calls; want 255, %q, none", tc.args, r.code, r.stderr, len(rec.inputs), want)
		}
	}
	if r := runWith(t, &recorder{}, nil, "list-keys", "--region", "local"); r.code != 0 {
		t.Errorf("--region local: exit %d %s", r.code, r.stderr)
	}
}

// The age plugin UI: secret requests answered from the PIN source (never
// echoed), messages (without a terminal) and the wait notice on stderr, and
// a clear error when a request needs a terminal that is not there.
func TestPluginUI(t *testing.T) {
	var stderr strings.Builder
	g := newGlobals(&env{getenv: func(string) string { return "" }, stderr: &stderr,
		tty: func() (*os.File, error) { return nil, os.ErrNotExist }})
	pin := func() ([]byte, bool, error) { return []byte("246810"), true, nil }
	ui := g.pluginUI(pin)
	if v, err := ui.RequestValue("yubikey", "Enter PIN:", true); err != nil || v != "246810" {
		t.Fatalf("secret request = %q, %v", v, err)
	}
	if err := ui.DisplayMessage("yubikey", "touch your YubiKey"); err != nil {
		t.Fatal(err)
	}
	ui.WaitTimer("yubikey")
	want := "pkms: age-plugin-yubikey: touch your YubiKey\npkms: waiting for age-plugin-yubikey (touch or unlock your token)\n"
	if stderr.String() != want {
		t.Fatalf("stderr = %q, want %q", stderr.String(), want)
	}
	noPIN := g.pluginUI(func() ([]byte, bool, error) { return nil, false, nil })
	if _, err := noPIN.RequestValue("yubikey", "Enter PIN:", true); err == nil || !strings.Contains(err.Error(), "--pin-fd") {
		t.Fatalf("secret request without a terminal: %v", err)
	}
	if _, err := noPIN.Confirm("yubikey", "Use slot 9a?", "yes", "no"); !errors.Is(err, errNoTerminal) {
		t.Fatalf("confirm without a terminal: %v", err)
	}
}
