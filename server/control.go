package server

import (
	"errors"
	"net/http"
	"os"

	"github.com/pocketkms/pkms/kms"
)

// The control targets (X-Amz-Target: PkmsAgent.<Action>) exist only on the
// agent's private socket: they manage the agent itself and the access keys
// of pkms serve, which a SigV4 client must never be able to mint.

// StatusOutput is the answer of PkmsAgent.Status.
type StatusOutput struct {
	Pid    int    `json:"Pid"`
	Vault  string `json:"Vault,omitempty"`
	Locked bool   `json:"Locked"`
}

// UnlockInput carries a vault handoff (see vault.Handoff) to a locked agent.
type UnlockInput struct {
	Handoff []byte `json:"Handoff"`
}

// CreateAccessKeyInput is the request of PkmsAgent.CreateAccessKey.
type CreateAccessKeyInput struct {
	Description string `json:"Description,omitempty"`
}

// ListAccessKeysOutput is the answer of PkmsAgent.ListAccessKeys.
type ListAccessKeysOutput struct {
	AccessKeys []kms.AccessKey `json:"AccessKeys"`
}

// DeleteAccessKeyInput is the request of PkmsAgent.DeleteAccessKey.
type DeleteAccessKeyInput struct {
	AccessKeyId string `json:"AccessKeyId"`
}

// Control hooks the agent's owner provides.
type Control struct {
	// Resume opens the vault from a handoff (Unlock).
	Resume func(handoff []byte) (*Backend, error)
	// VaultPath is reported by Status.
	VaultPath string
}

func (s *Server) control(w http.ResponseWriter, r *http.Request, action string, body []byte) {
	ctx := r.Context()
	var out any = struct{}{}
	var err error
	switch action {
	case "Status":
		out = StatusOutput{Pid: os.Getpid(), Vault: s.Hooks.VaultPath, Locked: s.Locked()}
	case "Stop":
		// Answer first: Stop makes the listeners shut down.
		writeJSON(w, http.StatusOK, out)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		go s.Stop()
		return
	case "Lock":
		s.Lock()
	case "Unlock":
		var in UnlockInput
		if err = decodeBody(body, &in); err == nil {
			err = s.unlockFrom(in.Handoff)
			clear(in.Handoff)
		}
		clear(body)
	case "CreateAccessKey":
		var in CreateAccessKeyInput
		if err = decodeBody(body, &in); err == nil {
			err = s.withService(func(svc *kms.Service) error {
				out, err = svc.CreateAccessKey(ctx, in.Description)
				return err
			})
		}
	case "ListAccessKeys":
		err = s.withService(func(svc *kms.Service) error {
			keys, err := svc.ListAccessKeys(ctx)
			out = ListAccessKeysOutput{AccessKeys: keys}
			return err
		})
	case "DeleteAccessKey":
		var in DeleteAccessKeyInput
		if err = decodeBody(body, &in); err == nil {
			err = s.withService(func(svc *kms.Service) error { return svc.DeleteAccessKey(ctx, in.AccessKeyId) })
		}
	default:
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "", "")
		return
	}
	if err != nil {
		s.writeServiceError(w, controlPrefix+action, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

var errNoResume = errors.New("this agent cannot be unlocked remotely")

func (s *Server) unlockFrom(handoff []byte) error {
	if s.Hooks.Resume == nil {
		return errNoResume
	}
	b, err := s.Hooks.Resume(handoff)
	if err != nil {
		return err
	}
	s.Unlock(b)
	return nil
}
