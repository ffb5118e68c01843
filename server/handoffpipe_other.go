//go:build !linux && !darwin && !freebsd

package server

import (
	"context"
	"errors"
	"os"
)

var errNoPipes = errors.New("unlocking an agent is not supported on this OS")

// Unlock is not supported on this OS (no named pipes, no agent).
func (c *Client) Unlock(context.Context, []byte) error { return errNoPipes }

func openHandoffPipe(string) (*os.File, error) { return nil, errNoPipes }
