package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedFilesUpToDate regenerates kms/model.go and cmd/opdocs.go in
// memory from the vendored botocore model and kms/pkmsmodel.go, and fails
// when the committed files differ: run `go generate ./kms` after changing
// either.
func TestGeneratedFilesUpToDate(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("generate made %d files, want kms/model.go and cmd/opdocs.go", len(files))
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `go generate ./kms` (first difference at line %d)", path, firstDiffLine(got, want))
		}
	}
}

func firstDiffLine(a, b []byte) int {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// TestGeneratedModel checks facts of the generated model that the rest of
// pkms relies on, so that a newer botocore model or a change of the
// generator that breaks them is noticed here.
func TestGeneratedModel(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	model, docs := string(files["kms/model.go"]), string(files["cmd/opdocs.go"])
	for _, want := range []string{
		"botocore " + strings.TrimSpace(mustRead(t, filepath.Join(root, dataDir, versionFile))) + ". DO NOT EDIT.",
		// required members and constraints come from the model
		"KeyId string `json:\"KeyId,omitempty\" required:\"true\" min:\"1\" max:\"2048\"`",
		// list results AWS always sends have no omitempty
		"Keys       []KeyListEntry `json:\"Keys\"`",
		// element constraints of a list
		"GrantTokens []string `json:\"GrantTokens,omitempty\" itemMin:\"1\" itemMax:\"8192\"`",
		// renamed enums and their constants
		"type WrappingAlgorithm string",
		"KeySpecEccSecgP256k1 KeySpec = \"ECC_SECG_P256K1\"",
		// pkms's token label constraint on CloudHsmClusterId
		"CloudHsmClusterId string `json:\"CloudHsmClusterId,omitempty\" min:\"1\" max:\"32\"`",
		// pkms-only members come from pkmsmodel.go
		"PkmsExportable *bool `json:\"PkmsExportable,omitempty\"`",
		"{\"VerifyMac\", reflect.TypeFor[VerifyMacInput](), reflect.TypeFor[VerifyMacOutput]()},",
	} {
		if !strings.Contains(strings.Join(strings.Fields(model), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("kms/model.go lacks %s", want)
		}
	}
	for _, want := range []string{
		`"CancelKeyDeletion": "Cancels the deletion of a KMS key",`,
		`"PkmsExportable": "pkms only: makes the key material exportable`,
	} {
		if !strings.Contains(strings.Join(strings.Fields(docs), " "), want) {
			t.Errorf("cmd/opdocs.go lacks %s", want)
		}
	}
	// help text is plain: no markup left from the HTML
	for _, bad := range []string{"<p>", "<code>", "</", "`", "**", "&lt;", "&amp;"} {
		if strings.Contains(docs, bad) {
			t.Errorf("cmd/opdocs.go holds markup %q", bad)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
