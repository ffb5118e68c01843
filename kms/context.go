package kms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// A long-lived service (the agent, pkms serve) answers callers that each
// bring their own region, as AWS endpoints do: the command line's --region
// or an SDK's signing region. The region is where the operation acts (its
// keys, aliases and custom key stores) and shapes every ARN it prints and
// accepts, so it travels with the request rather than living in the Service.
type regionKey struct{}

// WithRegion returns a context whose operations act in region instead of
// the Service's default.
func WithRegion(ctx context.Context, region string) context.Context {
	return context.WithValue(ctx, regionKey{}, region)
}

func (s *Service) regionFor(ctx context.Context) string {
	if r, ok := ctx.Value(regionKey{}).(string); ok && r != "" {
		return r
	}
	return s.region
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the request id of one call (the
// server's x-amzn-RequestId), which key last-usage records.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id in ctx, if any.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// NewRequestID returns a random version 4 UUID, the form of AWS request ids.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var id [36]byte
	hex.Encode(id[0:8], b[0:4])
	id[8] = '-'
	hex.Encode(id[9:13], b[4:6])
	id[13] = '-'
	hex.Encode(id[14:18], b[6:8])
	id[18] = '-'
	hex.Encode(id[19:23], b[8:10])
	id[23] = '-'
	hex.Encode(id[24:36], b[10:16])
	return string(id[:])
}
