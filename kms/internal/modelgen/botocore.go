package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// dataDir is where the botocore files the generator reads are vendored,
// relative to the module root, so that generating needs no Python.
const dataDir = "kms/internal/modelgen/botocore"

// serviceFile is botocore's KMS service model as botocore ships it
// (data/kms/2014-11-01/service-2.json.gz), byte for byte.
const serviceFile = "service-2.json.gz"

// versionFile holds the botocore version the service model came from.
const versionFile = "VERSION"

// service is the part of a botocore service model the generator reads.
type service struct {
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		EndpointPrefix string `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]operation `json:"operations"`
	Shapes     map[string]*shape    `json:"shapes"`
}

type operation struct {
	Name          string   `json:"name"`
	Input         shapeRef `json:"input"`
	Output        shapeRef `json:"output"`
	Documentation string   `json:"documentation"`
}

type shapeRef struct {
	Shape         string `json:"shape"`
	Documentation string `json:"documentation"`
}

type shape struct {
	Type      string   `json:"type"`
	Required  []string `json:"required"`
	Members   members  `json:"members"`
	Member    shapeRef `json:"member"`
	Enum      []string `json:"enum"`
	Min       *int64   `json:"min"`
	Max       *int64   `json:"max"`
	Pattern   string   `json:"pattern"`
	Exception bool     `json:"exception"`
}

// members keeps a structure's members in the order the model lists them:
// that order is the order of the Go fields, of the CLI's options and of
// the members in printed output.
type members struct {
	names []string
	refs  map[string]shapeRef
}

func (m *members) UnmarshalJSON(b []byte) error {
	m.refs = map[string]shapeRef{}
	if err := json.Unmarshal(b, &m.refs); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		m.names = append(m.names, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// model is the vendored service model and the botocore version it came from.
type model struct {
	service
	Version string
}

func loadModel(root string) (*model, error) {
	dir := filepath.Join(root, dataDir)
	v, err := os.ReadFile(filepath.Join(dir, versionFile))
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, serviceFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", serviceFile, err)
	}
	m := &model{Version: strings.TrimSpace(string(v))}
	if err := json.NewDecoder(zr).Decode(&m.service); err != nil {
		return nil, fmt.Errorf("%s: %w", serviceFile, err)
	}
	if m.Metadata.EndpointPrefix != "kms" || len(m.Operations) == 0 {
		return nil, fmt.Errorf("%s is not the KMS service model", serviceFile)
	}
	return m, nil
}

// refresh copies the KMS service model of the botocore installed for
// python3 into dataDir and records its version.
func refresh(root string) (string, error) {
	out, err := exec.Command("python3", "-c",
		"import botocore, os; print(botocore.__version__); print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", fmt.Errorf("python3 cannot import botocore (pip install botocore): %w", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 {
		return "", fmt.Errorf("unexpected answer from python3: %q", out)
	}
	version, pkg := lines[0], lines[1]
	src := filepath.Join(pkg, "data", "kms", "2014-11-01")
	var data []byte
	if b, err := os.ReadFile(filepath.Join(src, "service-2.json.gz")); err == nil {
		data = b
	} else if b, err := os.ReadFile(filepath.Join(src, "service-2.json")); err == nil {
		// older botocore releases ship the model uncompressed
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := io.Copy(zw, bytes.NewReader(b)); err != nil {
			return "", err
		}
		if err := zw.Close(); err != nil {
			return "", err
		}
		data = buf.Bytes()
	} else {
		return "", fmt.Errorf("no KMS service model under %s", src)
	}
	dir := filepath.Join(root, dataDir)
	if err := os.WriteFile(filepath.Join(dir, serviceFile), data, 0o644); err != nil {
		return "", err
	}
	return version, os.WriteFile(filepath.Join(dir, versionFile), []byte(version+"\n"), 0o644)
}
