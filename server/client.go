package server

import (
	"bufio"
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
//
// Each call dials the socket, writes one HTTP/1.1 request and reads one
// response on the calling goroutine, then closes the connection. A command
// makes one call (or one per page) and a unix-socket dial costs
// microseconds, while net/http's pooled Transport would start a reader and
// a writer goroutine per connection: in a process that lives a few
// milliseconds, that machinery is a measurable part of its run time.
type Client struct {
	Socket string
	// Region is sent with every request; it shapes the ARNs of the answer
	// exactly as --region does in-process.
	Region string
}

// callTimeout bounds one call: a request that an agent accepts but never
// answers fails instead of hanging the command.
const callTimeout = 5 * time.Minute

// maxResponse bounds the response body the client reads.
const maxResponse = 16 << 20

// NewClient returns a client for the agent listening on socket.
func NewClient(socket, region string) *Client {
	return &Client{Socket: socket, Region: region}
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
// pointer to its output struct. KMS exceptions come back as *kms.Error, a
// broken audit chain as *kms.ChainError.
// An agent-only operation is sent under the agent's prefix, which only its
// private socket serves.
func (c *Client) Invoke(ctx context.Context, op string, in, out any) error {
	if o, ok := kms.LookupOperation(op); ok && o.AgentOnly {
		return c.call(ctx, controlPrefix+op, in, out)
	}
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
	req.Close = true // one request per connection; see Client
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", target)
	if c.Region != "" {
		req.Header.Set(headerRegion, c.Region)
	}
	resp, data, err := c.roundTrip(ctx, req)
	clear(body)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &UnreachableError{Socket: c.Socket, Err: unwrapDial(err)}
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
	if kind := resp.Header.Get(headerKind); kind == kindChain && we.Chain != nil {
		return we.Chain // the same *kms.ChainError as in-process
	} else if kind != "" {
		return &RemoteError{Kind: kind, Message: we.Message}
	}
	return &kms.Error{Code: kms.ErrorCode(we.Type), Message: we.Message}
}

// roundTrip sends req on a new connection to the socket and returns the
// response with its whole body. Cancelling ctx or reaching callTimeout
// interrupts the dial, the write and the read.
func (c *Client) roundTrip(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.Socket)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(callTimeout)); err != nil {
		return nil, nil, err
	}
	// A deadline in the past makes blocked I/O on conn return at once.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := req.Write(conn); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, nil, err
	}
	return resp, data, nil
}

// unwrapDial digs the system error (no such file, connection refused) out
// of the network error's wrapping.
func unwrapDial(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}
