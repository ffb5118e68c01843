package server

import (
	"net/http"
	"net/http/httptest"
	"syscall"
)

func nobody() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
}

type recorder struct{ *httptest.ResponseRecorder }

func newRecorder() recorder               { return recorder{httptest.NewRecorder()} }
func (r recorder) result() *http.Response { return r.Result() }
