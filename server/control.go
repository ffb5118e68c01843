package server

import (
	"errors"
	"io"
	"net/http"
	"os"
)

// The control targets (X-Amz-Target: PkmsAgent.<Action>) exist only on the
// agent's private socket: they manage the agent itself. The access keys of
// pkms serve, which a SigV4 client must never be able to mint, and the
// audit trail's queries, which name every key and caller, are served under
// the same prefix but are operations of the registry (AgentOnly),
// dispatched as every operation is (protocol.go).

// StatusOutput is the answer of PkmsAgent.Status.
type StatusOutput struct {
	Pid    int    `json:"Pid"`
	Vault  string `json:"Vault,omitempty"`
	Locked bool   `json:"Locked"`
}

// UnlockInput names the named pipe from which a locked agent reads a vault
// handoff (see vault.Handoff and Client.Unlock).
type UnlockInput struct {
	HandoffPipe string `json:"HandoffPipe"`
}

// Control hooks the agent's owner provides.
type Control struct {
	// Resume opens the vault from a handoff read from r (Unlock), which
	// ends (EOF) after the handoff.
	Resume func(r io.Reader) (*Backend, error)
	// VaultPath is reported by Status.
	VaultPath string
}

func (s *Server) control(w http.ResponseWriter, r *http.Request, action string, body []byte) {
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
			err = s.unlockFrom(in.HandoffPipe)
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

func (s *Server) unlockFrom(pipe string) error {
	if s.Hooks.Resume == nil {
		return errNoResume
	}
	f, err := openHandoffPipe(pipe)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := s.Hooks.Resume(&pipeMessage{f: f})
	if err != nil {
		return err
	}
	s.Unlock(b)
	return nil
}

// pipeMessage reads one message from a pipe: the client writes the handoff
// with one write, smaller than PIPE_BUF and so atomic, and keeps the pipe
// open, so the first read returns all of it and the pipe never ends by
// itself; the next read is EOF.
type pipeMessage struct {
	f    *os.File
	done bool
}

func (m *pipeMessage) Read(p []byte) (int, error) {
	if m.done {
		return 0, io.EOF
	}
	m.done = true
	return m.f.Read(p)
}
