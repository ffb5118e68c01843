package server

import (
	"context"
	"net/http"

	"github.com/pocketkms/pkms/kms"
)

// SigV4Auth returns the Auth check of pkms serve: SigV4 for service "kms"
// in region ("" for any region: each request then uses the region of its
// credential scope), with secrets looked up among the vault's access keys.
func (s *Server) SigV4Auth(region string) func(*http.Request, []byte) error {
	v := &SigV4{
		Service: "kms",
		Region:  region,
		Lookup: func(id string) (secret []byte, ok bool, err error) {
			err = s.withService(func(svc *kms.Service) error {
				secret, ok, err = svc.AccessKeySecret(context.Background(), id)
				return err
			})
			return secret, ok, err
		},
	}
	return func(r *http.Request, body []byte) error {
		_, err := v.Verify(r, body)
		return err
	}
}
