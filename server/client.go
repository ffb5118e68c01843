package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/pocketkms/pkms/kms"
)

// Client calls an agent over its unix socket with the same protocol an AWS
// SDK speaks, plus the control targets.
type Client struct {
	Socket string
	// Region is sent with every request; it shapes the ARNs of the answer
	// exactly as --region does in-process.
	Region string
	hc     *http.Client
}

// NewClient returns a client for the agent listening on socket.
func NewClient(socket, region string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConns:      4,
		DisableKeepAlives: false,
	}
	return &Client{Socket: socket, Region: region, hc: &http.Client{Transport: tr, Timeout: 5 * time.Minute}}
}

// UnreachableError means no agent answered on the socket.
type UnreachableError struct {
	Socket string
	Err    error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the pkms agent at %s: %v", e.Socket, e.Err)
}
func (e *UnreachableError) Unwrap() error { return e.Err }

// RemoteError is an agent-side failure that is not a KMS exception: Kind
// is "vault" (the vault failed) or "locked" (the agent holds no key).
type RemoteError struct {
	Kind    string
	Message string
}

func (e *RemoteError) Error() string { return e.Message }

// Locked reports whether the agent answered that it is locked.
func (e *RemoteError) Locked() bool { return e.Kind == kindLocked }

// Invoke calls a KMS operation: in is the operation's input struct, out a
// pointer to its output struct. KMS exceptions come back as *kms.Error.
func (c *Client) Invoke(ctx context.Context, op string, in, out any) error {
	return c.call(ctx, targetPrefix+op, in, out)
}

// Control calls a PkmsAgent.<action> target.
func (c *Client) Control(ctx context.Context, action string, in, out any) error {
	return c.call(ctx, controlPrefix+action, in, out)
}

func (c *Client) call(ctx context.Context, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://pkms-agent/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", target)
	if c.Region != "" {
		req.Header.Set(headerRegion, c.Region)
	}
	resp, err := c.hc.Do(req)
	clear(body)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &UnreachableError{Socket: c.Socket, Err: unwrapDial(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return &UnreachableError{Socket: c.Socket, Err: err}
	}
	if resp.StatusCode == http.StatusOK {
		if out == nil {
			return nil
		}
		return json.Unmarshal(data, out)
	}
	var we wireError
	if err := json.Unmarshal(data, &we); err != nil || we.Type == "" {
		return fmt.Errorf("the pkms agent answered HTTP %d", resp.StatusCode)
	}
	if kind := resp.Header.Get(headerKind); kind != "" {
		return &RemoteError{Kind: kind, Message: we.Message}
	}
	return &kms.Error{Code: kms.ErrorCode(we.Type), Message: we.Message}
}

// unwrapDial digs the system error (no such file, connection refused) out
// of the transport's wrapping.
func unwrapDial(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }
