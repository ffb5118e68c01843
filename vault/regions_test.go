package vault

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"filippo.io/age"
)

// regionalRecords are the records of a KMS vault with keys in n regions:
// each regional bucket once per region, the default region's under its
// plain name and the others' as base@region, as the kms package names
// them.
func regionalRecords(n int) []rec {
	regions := []string{""}
	for i := 1; i < n; i++ {
		regions = append(regions, fmt.Sprintf("@xx-region-%d", i))
	}
	var out []rec
	for _, r := range regions {
		for _, base := range []string{"keys", "aliases", "deletions", "expiries", "grants", "usage", "customkeystores"} {
			for i := range 3 {
				out = append(out, rec{base + r, fmt.Sprintf("id-%d", i), []byte(base + r + fmt.Sprint(i))})
			}
		}
	}
	return append(out, rec{"config", "regions", []byte(`{"regions":["eu-west-1"]}`)})
}

// A vault whose records span regions, in two regions and in more than a
// page of bucket keys holds: its content summary, page check and verify
// see every bucket, and export→import and rekey keep every record.
func TestRegionalBuckets(t *testing.T) {
	for _, regions := range []int{2, 40} {
		t.Run(fmt.Sprintf("%d regions", regions), func(t *testing.T) {
			recs := regionalRecords(regions)
			path, v := fillRecords(t, recs)
			check := func(t *testing.T, v *Vault, what string) {
				t.Helper()
				for _, r := range recs {
					if got, err := get(v, r.Bucket, r.ID); err != nil || got != string(r.Value) {
						t.Fatalf("%s: Get %s %s = %q, %v", what, r.Bucket, r.ID, got, err)
					}
				}
				rep, err := v.Verify(nil)
				if err != nil || !rep.OK() || rep.Records != len(recs) || rep.Buckets != 7*regions+1 {
					t.Errorf("%s: Verify = %+v, %v; want %d records in %d buckets", what, rep, err, len(recs), 7*regions+1)
				}
			}
			check(t, v, "written")

			x := newX25519(t)
			var out bytes.Buffer
			if err := v.Export(&out, []age.Recipient{x.Recipient()}, true); err != nil {
				t.Fatal(err)
			}
			restored := filepath.Join(t.TempDir(), "restored.pkms")
			if _, err := Import(restored, &out, []age.Identity{x}, InitOptions{
				Passphrase: []byte("new"), ScryptWorkFactor: testWF, NoSync: true}); err != nil {
				t.Fatalf("Import: %v", err)
			}
			w := mustUnlock(t, restored, "new")
			check(t, w, "imported")
			w.Close()

			if err := v.Rekey(RekeyOptions{Passphrase: passFor("pw")}); err != nil {
				t.Fatalf("Rekey: %v", err)
			}
			check(t, v, "rekeyed")
			v.Close()
			v = mustUnlock(t, path, "pw")
			check(t, v, "reopened")
			v.Close()
		})
	}
}
