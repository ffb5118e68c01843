package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/pocketkms/pkms/kms"
)

// fullListener returns the address of a loopback TCP listener whose accept
// queue is full: it listens with a backlog of 0 and never accepts, and
// connections are made to it until one is no longer answered. Linux drops
// the SYN of any further connection (it never refuses it), so a client
// waits for its connect timeout, or for ever without one: a connect that
// hangs, made without leaving the machine.
func fullListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return addr
			}
			t.Fatalf("filling the accept queue of %s: %v", addr, err)
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skipf("the accept queue of %s never filled: this kernel does not drop connections beyond the backlog", addr)
	return ""
}

// TestConnectTimeout: ConnectTimeout (--cli-connect-timeout) bounds the
// wait for a connection, and a connection that is not made in time is
// reported as the AWS CLI words it. Were the option ignored, the connect
// would hang until the test's own deadline.
func TestConnectTimeout(t *testing.T) {
	url := "http://" + fullListener(t) + "/"
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	for _, timeout := range []time.Duration{300 * time.Millisecond, 1 * time.Second} {
		t.Run(timeout.String(), func(t *testing.T) {
			c, err := New(context.Background(), Options{Endpoint: url, Region: "us-east-1", NoSign: true, ConnectTimeout: timeout, ReadTimeout: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
			defer cancel()
			start := time.Now()
			err = c.Invoke(ctx, "ListKeys", &kms.ListKeysInput{}, &kms.ListKeysOutput{})
			took := time.Since(start)
			var ce *ConnectionError
			if !errors.As(err, &ce) || ce.Msg != fmt.Sprintf("Connect timeout on endpoint URL: %q", url) {
				t.Fatalf("Invoke = %v after %v; want a connect timeout", err, took)
			}
			if took < timeout || took > timeout+3*time.Second {
				t.Errorf("the connect timeout of %v came after %v", timeout, took)
			}
		})
	}
}
