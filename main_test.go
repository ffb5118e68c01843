package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/rogpeppe/go-internal/testscript"
	bolt "go.etcd.io/bbolt"

	"github.com/pocketkms/pkms/internal/agetest"
	"github.com/pocketkms/pkms/vault/pkcs11"
)

// The end-to-end tests run the real pkms binary from testdata/script/*.txtar
// the way a user types it, pipelines included (through sh -c).

func TestMain(m *testing.M) {
	// The scripts run this package's own main, signal handling included.
	// age-plugin-pkmstest is the simulated hardware token of internal/agetest:
	// pkms finds it on PATH like any age plugin.
	testscript.Main(m, map[string]func(){
		"pkms":                       main,
		"age-plugin-" + agetest.Name: func() { os.Exit(agetest.PluginMain()) },
	})
}

// raceScripts are the scripts the race-detector pass runs: those whose
// point is concurrency inside a pkms process (agents and servers answering
// many clients, parallel writers). Under the race detector every pkms a
// script starts is the instrumented test binary, several times slower to
// start and run, so the test command's race-free pass runs every script
// and the race pass only these. (The kill -9 scripts are about durability,
// not data races, and loop over hundreds of processes: race-free only.)
var raceScripts = []string{"agent", "exec", "parallel_writers", "serve_aws_cli", "custom_key_store_serve"}

// scriptFiles is what TestScripts runs: every script, or under the race
// detector the raceScripts.
func scriptFiles(t *testing.T) (dir string, files []string) {
	if !raceEnabled {
		return "testdata/script", nil
	}
	for _, name := range raceScripts {
		f := filepath.Join("testdata", "script", name+".txtar")
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("raceScripts names %s: %v", name, err)
		}
		files = append(files, f)
	}
	return "", files
}

func TestScripts(t *testing.T) {
	dir, files := scriptFiles(t)
	testscript.Run(t, testscript.Params{
		Dir:                 dir,
		Files:               files,
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			// Each script gets its own vault path, a passphrase file, an age
			// X25519 identity (id.key, $RECIPIENT) and a post-quantum one
			// (pq.key, $PQ_RECIPIENT) for identity slots, and the simulated
			// token's plugin recipient and identity.
			id, err := age.GenerateX25519Identity()
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(e.WorkDir, "id.key"), []byte(id.String()+"\n"), 0o600); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(e.WorkDir, "pass.txt"), []byte("correct horse battery staple\n"), 0o600); err != nil {
				return err
			}
			e.Setenv("RECIPIENT", id.Recipient().String())
			pq, err := age.GenerateHybridIdentity()
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(e.WorkDir, "pq.key"), []byte(pq.String()+"\n"), 0o600); err != nil {
				return err
			}
			e.Setenv("PQ_RECIPIENT", pq.Recipient().String())
			e.Setenv("PLUGIN_RECIPIENT", agetest.Recipient)
			e.Setenv("PLUGIN_IDENTITY", agetest.Identity)
			e.Setenv("SOFTHSM2_MODULE", pkcs11.SoftHSMModule()) // vault_pkcs11: --pkcs11-module
			e.Setenv("PKMS_VAULT", filepath.Join(e.WorkDir, "vault", "vault.pkms"))
			e.Setenv("HOME", e.WorkDir)
			for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_DEFAULT_OUTPUT", "PKMS_PASSPHRASE_FILE", "PKMS_IDENTITY_FILE", "PKMS_PIN_FILE", "PKMS_PKCS11_MODULE"} {
				e.Setenv(k, "")
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"flip-record": flipRecord,
			"edit-slot":   editSlot,
			"bolt-edit":   boltEdit,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "softhsm":
				// A PKCS#11 token for the script: the SoftHSM2 module and its
				// tool, and a pkms built with cgo.
				_, err := exec.LookPath("softhsm2-util")
				return pkcs11.SoftHSMModule() != "" && err == nil && cgoEnabled, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// flipRecord (flip-record VAULT BUCKET) flips one bit in the stored value of
// the first record of a logical bucket, straight through bbolt, as disk
// damage or tampering would: the record no longer authenticates.
func flipRecord(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flip-record VAULT BUCKET")
	}
	editBucket(ts, args[0], args[1], func(_, b *bolt.Bucket) error {
		k, v := b.Cursor().First()
		if k == nil {
			return fmt.Errorf("bucket %q is empty", args[1])
		}
		damaged := bytes.Clone(v)
		damaged[len(damaged)/2] ^= 0x10
		return b.Put(bytes.Clone(k), damaged)
	})
}

// editBucket runs edit on a logical bucket of the vault file at path (and
// the "data" bucket holding it) in one bbolt write, bypassing pkms.
func editBucket(ts *testscript.TestScript, path, bucket string, edit func(data, b *bolt.Bucket) error) {
	db, err := bolt.Open(ts.MkAbs(path), 0o600, nil)
	ts.Check(err)
	defer db.Close()
	ts.Check(db.Update(func(tx *bolt.Tx) error {
		data := tx.Bucket([]byte("data"))
		if data == nil {
			return errors.New("no data bucket")
		}
		b := data.Bucket([]byte(bucket))
		if b == nil {
			return fmt.Errorf("no bucket %q", bucket)
		}
		return edit(data, b)
	}))
}

// restoreRecords gives every record of b that differs from the same record
// in the vault file old its value in old; it fails if none differs.
func restoreRecords(old, bucket string, b *bolt.Bucket) error {
	db, err := bolt.Open(old, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	restored := 0
	err = db.View(func(tx *bolt.Tx) error {
		ob := tx.Bucket([]byte("data")).Bucket([]byte(bucket))
		if ob == nil {
			return fmt.Errorf("no bucket %q in %s", bucket, old)
		}
		return ob.ForEach(func(k, v []byte) error {
			if cur := b.Get(k); cur != nil && !bytes.Equal(cur, v) {
				restored++
				return b.Put(bytes.Clone(k), bytes.Clone(v))
			}
			return nil
		})
	})
	if err == nil && restored == 0 {
		err = fmt.Errorf("no record of %q differs from %s", bucket, old)
	}
	return err
}

// editSlot (edit-slot VAULT SLOT FIELD VALUE) sets one public field of a key
// slot (label, or params.NAME) straight through bbolt, as someone who can
// write the vault file but holds no key would.
func editSlot(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: edit-slot VAULT SLOT FIELD VALUE")
	}
	seq, err := strconv.ParseUint(args[1], 10, 64)
	ts.Check(err)
	db, err := bolt.Open(ts.MkAbs(args[0]), 0o600, nil)
	ts.Check(err)
	defer db.Close()
	ts.Check(db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte("meta"))
		if meta == nil || meta.Bucket([]byte("slots")) == nil {
			return errors.New("no slots bucket")
		}
		sb := meta.Bucket([]byte("slots"))
		key := binary.BigEndian.AppendUint64(nil, seq)
		var e map[string]any
		if err := json.Unmarshal(sb.Get(key), &e); err != nil {
			return fmt.Errorf("slot %d: %v", seq, err)
		}
		if name, ok := strings.CutPrefix(args[2], "params."); ok {
			p, _ := e["params"].(map[string]any)
			if p == nil {
				p = map[string]any{}
			}
			p[name] = args[3]
			e["params"] = p
		} else {
			e[args[2]] = args[3]
		}
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return sb.Put(key, b)
	}))
}

// boltEdit edits a vault file with well-formed bbolt writes, as a tool that
// understands bbolt (or a careless sync) would; nothing is corrupt at the
// page level:
//
//	bolt-edit VAULT rename-bucket FROM TO   a logical bucket gets another name
//	bolt-edit VAULT drop-first BUCKET       the first record of a bucket is deleted
//	bolt-edit VAULT drop-bucket BUCKET      a logical bucket is deleted
//	bolt-edit VAULT restore BUCKET OLD      records of a bucket that differ
//	                                        from the copy OLD get OLD's value
//	                                        back (a record rolled back)
func boltEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: bolt-edit VAULT rename-bucket FROM TO | drop-first BUCKET | drop-bucket BUCKET | restore BUCKET OLD")
	}
	editBucket(ts, args[0], args[2], func(data, b *bolt.Bucket) error {
		switch {
		case args[1] == "rename-bucket" && len(args) == 4:
			dst, err := data.CreateBucket([]byte(args[3]))
			if err != nil {
				return err
			}
			if err := b.ForEach(func(k, v []byte) error { return dst.Put(bytes.Clone(k), bytes.Clone(v)) }); err != nil {
				return err
			}
			return data.DeleteBucket([]byte(args[2]))
		case args[1] == "drop-first" && len(args) == 3:
			k, _ := b.Cursor().First()
			if k == nil {
				return fmt.Errorf("bucket %q is empty", args[2])
			}
			return b.Delete(bytes.Clone(k))
		case args[1] == "drop-bucket" && len(args) == 3:
			return data.DeleteBucket([]byte(args[2]))
		case args[1] == "restore" && len(args) == 4:
			return restoreRecords(ts.MkAbs(args[3]), args[2], b)
		}
		return fmt.Errorf("bolt-edit: unknown edit %q", strings.Join(args[1:], " "))
	})
}
