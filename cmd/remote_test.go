package cmd

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pocketkms/pkms/remote"
)

// TestRemoteTimeoutOptions: --cli-connect-timeout and --cli-read-timeout
// reach the remote client's options, in seconds, 0 for no limit, as the
// AWS CLI takes them; a value that is not a whole number of seconds is a
// usage error.
func TestRemoteTimeoutOptions(t *testing.T) {
	for _, tc := range []struct {
		args          []string
		connect, read time.Duration
		err           string
	}{
		{nil, remote.DefaultTimeout, remote.DefaultTimeout, ""},
		{[]string{"--cli-connect-timeout", "7"}, 7 * time.Second, remote.DefaultTimeout, ""},
		{[]string{"--cli-connect-timeout=0", "--cli-read-timeout", "3"}, 0, 3 * time.Second, ""},
		{[]string{"--cli-read-timeout", "0"}, remote.DefaultTimeout, 0, ""},
		{[]string{"--cli-connect-timeout", "-1"}, 0, 0, "argument --cli-connect-timeout: invalid int value: '-1'"},
		{[]string{"--cli-connect-timeout", "1.5"}, 0, 0, "argument --cli-connect-timeout: invalid int value: '1.5'"},
		{[]string{"--cli-read-timeout", "soon"}, 0, 0, "argument --cli-read-timeout: invalid int value: 'soon'"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			g := newGlobals(&env{getenv: os.Getenv})
			root := newRoot(g, "")
			if err := root.PersistentFlags().Parse(append([]string{"--endpoint-url", "http://127.0.0.1:1"}, tc.args...)); err != nil {
				t.Fatal(err)
			}
			o, err := g.remoteOptions()
			if tc.err != "" {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("remoteOptions: %#v, want the usage error %q", err, tc.err)
				}
				return
			}
			if err != nil || o.ConnectTimeout != tc.connect || o.ReadTimeout != tc.read {
				t.Errorf("ConnectTimeout %v, ReadTimeout %v, %v; want %v, %v", o.ConnectTimeout, o.ReadTimeout, err, tc.connect, tc.read)
			}
		})
	}
}
