package vault

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkCheckPages: the page check every handle open pays, on a vault
// of 10,000 records of 1 KiB (about 14 MB).
func BenchmarkCheckPages(b *testing.B) {
	path := fillVault(b, "pw", 10000)
	db, err := openBolt(path, true, time.Second, true)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for b.Loop() {
		if err := db.View(func(tx *bolt.Tx) error { return checkStructure(path, tx, false) }); err != nil {
			b.Fatal(err)
		}
	}
}
