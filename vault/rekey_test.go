package vault

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"
)

const envPass = "PKMS_VAULT_TEST_PASS"

// passFor answers RekeyOptions.Passphrase.
func passFor(p string) func(SlotInfo) ([]byte, error) {
	return func(SlotInfo) ([]byte, error) { return []byte(p), nil }
}

// checkValue returns the stored check value (changes with every rekey).
func checkValue(t testing.TB, path string) []byte {
	t.Helper()
	var c []byte
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error { c = bytes.Clone(tx.Bucket(bucketMeta).Get(keyCheck)); return nil })
	return c
}

// allRecords reads every record through ForEach, checked against Get.
func allRecords(t testing.TB, v *Vault, buckets ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, b := range buckets {
		if err := v.View(func(tx *Tx) error {
			return tx.ForEach(b, "", func(_ string, val []byte) error {
				out[b+"/"+string(val)] = string(val)
				return nil
			})
		}); err != nil {
			t.Fatalf("ForEach %s: %v", b, err)
		}
	}
	return out
}

func TestRekey(t *testing.T) {
	x := newX25519(t)
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	tok := newToken(t)
	path := tempVaultPath(t)
	if err := Init(path, InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: testWF,
		Recipients: []string{x.Recipient().String(), pq.Recipient().String()},
		Slots:      []SlotSpec{tokenSpec(tok, "T")}, NoSync: true}); err != nil {
		t.Fatal(err)
	}
	v := mustUnlock(t, path, "pw")
	if _, err := v.AddPassphraseSlot([]byte("second"), testWF-1, "second"); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{} // bucket/id -> value
	if err := v.Update(func(tx *Tx) error {
		for i := range 300 {
			b := []string{"keys", "aliases", "grants"}[i%3]
			id := fmt.Sprintf("id-%d", i)
			if i == 7 {
				id = "\xff\xfenot utf-8"
			}
			ids[b+"\x00"+id] = fmt.Sprintf("value %d", i)
			if err := tx.Put(b, id, []byte(ids[b+"\x00"+id])); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v.Close() // releases the file lock for the raw reads
	oldKeys := rawRecords(t, path, "keys")
	oldCheck := checkValue(t, path)
	v = mustUnlock(t, path, "pw")
	oldVK := bytes.Clone(v.keys.vk)
	slotsBefore := v.Slots()
	var calls [][2]int
	asked := map[string]int{}
	err = v.Rekey(RekeyOptions{
		// As the CLI does: the unlocking passphrase first for every slot,
		// then the slot's own when that one does not open it.
		Passphrase: func(s SlotInfo) ([]byte, error) {
			asked[s.ID]++
			if asked[s.ID] == 1 {
				return []byte("pw"), nil
			}
			return []byte(map[string]string{"passphrase": "pw", "second": "second"}[s.Label]), nil
		},
		SlotRecipient: func(s SlotInfo) (age.Recipient, error) {
			if s.Params["token"] != "T" {
				return nil, errors.New("unknown token")
			}
			return tok.recipient(), nil
		},
		Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) },
	})
	if err != nil {
		t.Fatalf("Rekey: %v", err)
	}
	if !reflect.DeepEqual(asked, map[string]int{"1": 1, "5": 2}) {
		t.Errorf("passphrases asked %v, want once for slot 1 and twice for slot 5", asked)
	}
	if len(calls) < 2 || calls[0] != [2]int{0, 300} || calls[len(calls)-1] != [2]int{300, 300} {
		t.Errorf("progress calls %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] <= calls[i-1][0] {
			t.Fatalf("progress not increasing: %v", calls)
		}
	}
	if bytes.Equal(v.keys.vk, oldVK) {
		t.Fatal("the vault key did not change")
	}
	if !reflect.DeepEqual(v.Slots(), slotsBefore) {
		t.Errorf("slots changed: %+v -> %+v", slotsBefore, v.Slots())
	}
	check := func(v *Vault) {
		t.Helper()
		for k, want := range ids {
			b, id, _ := strings.Cut(k, "\x00")
			if got, err := get(v, b, id); err != nil || got != want {
				t.Fatalf("Get %s %q = %q, %v; want %q", b, id, got, err, want)
			}
		}
		if n := len(allRecords(t, v, "keys", "aliases", "grants")); n != len(ids) {
			t.Fatalf("%d records, want %d", n, len(ids))
		}
	}
	check(v) // the same Vault goes on with the new key
	put(t, v, "keys", "after", "rekey")
	ids["keys\x00after"] = "rekey"
	v.Close()
	if newCheck := checkValue(t, path); verifyCheck(oldVK, v.id, newCheck, FormatVersion) || bytes.Equal(newCheck, oldCheck) {
		t.Fatal("the old vault key still opens the check value")
	}
	for _, k := range rawRecords(t, path, "keys") {
		for _, o := range oldKeys {
			if bytes.Equal(k, o) {
				t.Fatal("an on-disk key survived the rekey")
			}
		}
	}
	checkBolt(t, path)
	if st, err := readState(path, time.Second); err != nil || st.header.FormatVersion != FormatVersion || !bytes.Equal(st.header.ID, v.id) {
		t.Fatalf("header after rekey: %v", err)
	}
	for _, creds := range []Credentials{
		{Passphrase: passFn("pw")},
		{Passphrase: passFn("second")},
		{Identities: []age.Identity{x}},
		{Identities: []age.Identity{pq}},
		{SlotIdentity: tokenProvider("T", tok)},
	} {
		v2, err := Unlock(path, creds, testOpts)
		if err != nil {
			t.Fatalf("Unlock after rekey: %v", err)
		}
		check(v2)
		v2.Close()
	}
	// The work factor of each passphrase slot is kept.
	st, _ := readState(path, time.Second)
	for _, s := range st.slots {
		if s.Kind == SlotPassphrase {
			wf, err := slotWorkFactor(s.ageFile)
			want := map[string]int{"1": testWF, "5": testWF - 1}[s.ID]
			if err != nil || wf != want {
				t.Errorf("slot %s work factor %d, %v; want %d", s.ID, wf, err, want)
			}
		}
	}
}

// A rekey that cannot rewrap every slot, or whose progress callback
// panics, changes nothing.
func TestRekeyFailures(t *testing.T) {
	tok := newToken(t)
	boom := errors.New("no terminal")
	tests := []struct {
		name    string
		opts    RekeyOptions
		wantErr error
		panics  bool
	}{
		{name: "wrong passphrase", opts: RekeyOptions{Passphrase: passFor("typo"), SlotRecipient: func(SlotInfo) (age.Recipient, error) { return tok.recipient(), nil }}, wantErr: ErrIncorrectPassphrase},
		{name: "no passphrase callback", opts: RekeyOptions{SlotRecipient: func(SlotInfo) (age.Recipient, error) { return tok.recipient(), nil }}},
		{name: "passphrase callback fails", opts: RekeyOptions{Passphrase: func(SlotInfo) ([]byte, error) { return nil, boom }}, wantErr: boom},
		{name: "no recipient provider", opts: RekeyOptions{Passphrase: passFor("pw")}},
		{name: "token absent", opts: RekeyOptions{Passphrase: passFor("pw"), SlotRecipient: func(SlotInfo) (age.Recipient, error) { return nil, boom }}, wantErr: boom},
		{name: "progress panics", panics: true, opts: RekeyOptions{Passphrase: passFor("pw"),
			SlotRecipient: func(SlotInfo) (age.Recipient, error) { return tok.recipient(), nil },
			Progress: func(done, _ int) {
				if done > 0 {
					panic("progress bug")
				}
			}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tempVaultPath(t)
			if err := Init(path, InitOptions{Passphrase: []byte("pw"), ScryptWorkFactor: testWF, Slots: []SlotSpec{tokenSpec(tok, "T")}, NoSync: true}); err != nil {
				t.Fatal(err)
			}
			v := mustUnlock(t, path, "pw")
			for i := range 50 {
				put(t, v, "keys", fmt.Sprint(i), fmt.Sprint(i))
			}
			before := fileHash(t, path)
			var err error
			func() {
				defer func() {
					if r := recover(); (r != nil) != tc.panics {
						t.Errorf("recovered %v", r)
					}
				}()
				err = v.Rekey(tc.opts)
			}()
			if !tc.panics {
				if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
					t.Fatalf("Rekey err = %v", err)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("Rekey err = %v, want %v", err, tc.wantErr)
				}
			}
			// Still usable with the old key, in this Vault and after Unlock.
			if got, err := get(v, "keys", "7"); err != nil || got != "7" {
				t.Fatalf("Get after failed rekey = %q, %v", got, err)
			}
			v.Close()
			if fileHash(t, path) != before {
				t.Error("a failed rekey changed the file")
			}
			v = mustUnlock(t, path, "pw")
			if n := count(t, v, "keys"); n != 50 {
				t.Fatalf("Count = %d", n)
			}
		})
	}
}

// A Vault unlocked before another one rekeyed the file refuses to read or
// write with its old key instead of reporting corruption.
func TestRekeyedElsewhere(t *testing.T) {
	path := initVault(t, "pw")
	a, b := mustUnlock(t, path, "pw"), mustUnlock(t, path, "pw")
	put(t, a, "keys", "k", "v")
	if err := a.Rekey(RekeyOptions{Passphrase: passFor("pw")}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, err := get(b, "keys", "k"); !errors.Is(err, ErrRekeyed) {
		t.Errorf("Get: %v, want ErrRekeyed", err)
	}
	if _, err := b.AddPassphraseSlot([]byte("x"), testWF, ""); !errors.Is(err, ErrRekeyed) {
		t.Errorf("AddPassphraseSlot: %v, want ErrRekeyed", err)
	}
	if err := b.Rekey(RekeyOptions{Passphrase: passFor("pw")}); !errors.Is(err, ErrRekeyed) {
		t.Errorf("Rekey: %v, want ErrRekeyed", err)
	}
	if _, err := b.Verify(nil); !errors.Is(err, ErrRekeyed) {
		t.Errorf("Verify: %v, want ErrRekeyed", err)
	}
}

// childRekeyer unlocks with the identity, says "ready", rekeys, says "done".
func childRekeyer(path string, id age.Identity, _ string) error {
	v, err := Unlock(path, Credentials{Identities: []age.Identity{id}}, Options{})
	if err != nil {
		return err
	}
	defer v.Close()
	fmt.Println("ready")
	if err := v.Rekey(RekeyOptions{Passphrase: passFor(os.Getenv(envPass))}); err != nil {
		return err
	}
	fmt.Println("done")
	return nil
}

// SIGKILL at random points of a rekey never loses the vault: it opens with
// the same passphrase and identity and holds every record, under the old key
// or the new one.
func TestRekeyCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 10 processes")
	}
	const n, rounds = 3000, 10
	x := newX25519(t)
	path := initVault(t, "pw", x.Recipient().String())
	v := mustUnlock(t, path, "pw")
	want := map[string]string{}
	if err := v.Update(func(tx *Tx) error {
		for i := range n {
			b := []string{"keys", "aliases"}[i%2]
			val := fmt.Sprintf("record %d %s", i, strings.Repeat("x", 100))
			want[b+"/"+val] = val
			if err := tx.Put(b, fmt.Sprintf("id-%d", i), []byte(val)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()

	// run starts a rekeying child and SIGKILLs it kill after it is ready
	// (never if kill < 0); it returns whether the child finished and how
	// long after "ready" it did.
	run := func(round int, kill time.Duration) (done bool, took time.Duration) {
		cmd := childCmd(t, "rekeyer", path, x, "")
		cmd.Env = append(cmd.Env, envPass+"=pw")
		lines, stderr := startReady(t, cmd, round)
		ready := time.Now()
		if kill >= 0 {
			time.Sleep(kill)
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
		}
		for l := range lines {
			if l == "done" {
				done, took = true, time.Since(ready)
			}
		}
		_ = cmd.Wait()
		if strings.Contains(stderr.String(), "child:") {
			t.Fatalf("round %d: child error: %s", round, stderr.String())
		}
		return done, took
	}
	// Calibrate: one whole rekey by a child, fsync included.
	done, took := run(-1, -1)
	if !done {
		t.Fatal("calibration child did not finish its rekey")
	}

	outcomes := map[string]int{}
	for round := range rounds {
		before := checkValue(t, path)
		done, _ := run(round, time.Duration(rand.Int64N(int64(took)*5/4)))
		rekeyed := !bytes.Equal(checkValue(t, path), before)
		if done && !rekeyed {
			t.Fatalf("round %d: the child reported a rekey that is not in the file", round)
		}
		outcomes[map[bool]string{true: "rekeyed", false: "old key"}[rekeyed]]++

		checkBolt(t, path)
		for _, creds := range []Credentials{{Identities: []age.Identity{x}}, {Passphrase: passFn("pw")}} {
			v, err := Unlock(path, creds, testOpts)
			if err != nil {
				t.Fatalf("round %d: Unlock after kill: %v", round, err)
			}
			got := allRecords(t, v, "keys", "aliases")
			rep, err := v.Verify(nil)
			v.Close()
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: %d records after kill, want %d", round, len(got), len(want))
			}
			if err != nil || !rep.OK() || rep.Records != n {
				t.Fatalf("round %d: Verify = %+v, %v", round, rep, err)
			}
		}
	}
	t.Logf("rekey takes %v; outcomes over %d kills: %v", took, rounds, outcomes)
}
