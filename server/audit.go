package server

import (
	"context"
	"net/http"

	"github.com/pocketkms/pkms/kms"
)

// callerContext names the caller of a request that passed Auth, for the
// audit trail: the access key id of its SigV4 credential (header or
// presigned query). The agent's callers are its own uid, which the service
// records by default.
func callerContext(ctx context.Context, r *http.Request) context.Context {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if a, aerr := sigv4ParseAuthorization(r.Header.Get("Authorization")); aerr == nil && a.hasCredential {
		cred = a.credential
	}
	if k, ok := sigv4ParseCredential(cred); ok && k.accessKeyID != "" {
		return kms.WithAccessKey(ctx, k.accessKeyID)
	}
	return ctx
}
