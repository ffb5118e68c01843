// Package vault is the encrypted vault file of pkms: one file holding every
// key, alias, grant and audit record, readable only with the vault key.
//
// # Why this design
//
// The choice was measured when the vault was designed. A single
// age-encrypted blob rewritten on every change costs about 0.1 s,
// 1.1 s and 4.9 s per change at 1k, 10k and 100k keys and, without a
// separate lock, lost 19 of 20 parallel updates. An embedded B+tree
// (go.etcd.io/bbolt) with each record sealed on its own costs about 1 ms per
// write transaction whatever the size (22 ms for a whole CLI invocation),
// lost no update under 20 parallel writers, and showed no corruption in 160
// kill -9 rounds. AWS KMS records last usage on every cryptographic call, so
// even small vaults write often: hence bbolt.
//
// # Format (version 3)
//
// A bbolt file, created 0600 in a 0700 directory, with two top-level buckets:
//
//   - "meta", in plaintext: "format" (the format version in ASCII decimal),
//     "id" (16 random bytes), "check" (crypto.Seal of a constant naming the
//     format, "pkms vault check v3", under DeriveKey(VK, "check") with the
//     vault id as AAD, so a wrong key is a clean error) and the bucket
//     "slots".
//   - "data": one sub-bucket per logical bucket, created on first Put.
//
// Format 1 was written only by pre-release builds: its records did not carry
// their logical ids, so it cannot be upgraded and is refused (ErrOldFormat).
// A newer format is refused too (ErrNewerFormat) and never rewritten.
// Format 2 (the first release) differs from 3 only in what 3 adds to
// authenticate the file's public parts: slot MACs (below) and the check
// constant "pkms vault check v1". It is read as it is, and the first write
// transaction through an unlocked Vault upgrades it in that same
// transaction (upgrade.go): every slot gets its MAC, the content summary is
// computed, the check value and the format become those of format 3. Because the check names the format,
// setting the format value of an upgraded vault back to 2 (to make its slots
// look unauthenticated again) makes the vault fail to open (ErrCorrupt). The
// upgrade trusts the format 2 slots it signs: a slot altered before a vault's
// first write under this release is not caught.
//
// The vault key VK is 32 random bytes. Each key slot wraps it for one unlock
// method as a small self-contained age file. A slot is stored under its id
// (a big-endian uint64 from the bucket's sequence, never reused) as JSON:
// kind, label, created, params (public strings only), age (the age file)
// and mac. The kinds:
//
//   - "passphrase": age scrypt, which age requires to be alone in its file.
//   - "identity": one age recipient, X25519 (age1...) or the post-quantum
//     hybrid ML-KEM-768+X25519 (age1pq1...), which age refuses to mix with
//     classic recipients; params.recipient holds the recipient string.
//   - "plugin": an age plugin recipient (age1<name>1..., e.g. a YubiKey, a
//     FIDO2 key, a TPM or the Secure Enclave), wrapped and unwrapped by the
//     age-plugin-<name> binary on PATH; params.recipient and params.plugin.
//   - any other name (e.g. "pkcs11"): an outside kind whose recipient and
//     identity the caller supplies; params are whatever the caller needs to
//     find its token and key again.
//
// A slot's public part decides what Rekey wraps the next vault key to, so
// it is authenticated: mac is HMAC-SHA-256 under DeriveKey(VK, "slot mac")
// of the vault id, the slot id, kind, label, creation time, params and a
// hash of the age file (slotmac.go has the exact encoding). Every slot is
// checked right after every unlock (Unlock, Resume). A slot whose mac is
// missing or wrong is tampered (someone who could write the file, without
// any key, may have put their own recipient there): the vault still opens
// through the owner's slots, TamperedSlots names it, Verify reports it, and
// what would trust it (Rekey, adding a slot, Export, changing another slot's
// passphrase) fails with ErrSlotTampered until RemoveSlot removes it; a
// tampered passphrase slot can also be replaced whole by ChangePassphrase
// (the repair when it is the vault's only slot). Removing a slot (by anyone
// who can write the file) only denies access; it cannot grant any.
//
// Separate age files per slot sidestep both mixing rules, and changing a
// passphrase or adding a slot rewraps one slot, never the data. age's
// default scrypt work factor (18, so 256 MiB of memory) costs about 1.5 s
// per cold unlock, so scripts go through an agent rather than lowering it. Unlock tries the
// slots that need nobody first (identity, then outside kinds, then plugins)
// and asks for the passphrase last, at most once.
//
// A record's on-disk key is HMAC-SHA-256(DeriveKey(VK, "record id"),
// bucket‖0‖id), so no key id, alias or tag is readable in the file. Its value
// is crypto.Seal (nonce ‖ AES-256-GCM ciphertext ‖ tag) under
// DeriveKey(VK, "record "+bucket) of the plaintext
//
//	uvarint(len(id)) ‖ id ‖ value        (1 ≤ len(id) ≤ 4096)
//
// with AAD "pkms record v2"‖vault id‖bucket‖0‖on-disk key: a value moved to
// another record, bucket or vault fails to open, and the id inside must hash
// back to the on-disk key (ErrCorrupt otherwise). The id inside is what lets
// Rekey and Export recover logical ids from the file.
//
// Sealing cannot show that a record is missing or stale, so format 3 also
// keeps a content summary, meta "summary", authenticated under
// DeriveKey(VK, "summary mac"): per bucket and per shard (the first byte of
// the on-disk key), the record count and the XOR of a secret 16-byte
// element per record derived from its GCM tag (summary.go has the encoding).
// Every write transaction updates it (one AES block per Put or Delete);
// every transaction checks each shard it touches against it the first time
// (a walk of the shard's on-disk entries, no decryption), and a bucket the
// summary lists but the file lacks at once. So a bucket renamed or removed,
// a record deleted, or a record replaced by an older copy of itself is
// ErrCorrupt rather than an empty or stale answer, and Verify, Rekey and
// Export compare the whole file with it. Rolling the whole file back to an
// older copy cannot be seen from inside the file.
//
// # Rekey, verify, export
//
// Rekey draws a new VK, reseals every record under its new on-disk key
// (deleting the old one), rewraps every slot and replaces the check value,
// all in one bbolt write transaction: a crash or kill leaves
// the old vault or the new one, whole. Passphrase slots need their
// passphrase (checked against the slot first); the others are rewrapped from
// their stored public recipient. Verify walks everything in one read
// transaction and reports each record that does not open.
//
// Export writes one age file (binary or ASCII-armored) that the stock age
// tool decrypts. Its plaintext, export format version 1, is JSON Lines,
// UTF-8, each line ending in "\n":
//
//	{"format":"pkms-vault-export","version":1,"vault_id":"<32 hex>","created":"<RFC 3339 UTC>","records":N}
//	{"bucket":"<name>","id":"<record id>","value":"<standard base64>"}
//	... exactly N record lines, then the end of the stream
//
// A record id that is not valid UTF-8 is written as "id_base64" (standard
// base64) instead of "id". Each (bucket, id) appears once; values are at
// most 32 MiB. Unknown fields, another format or version, a wrong count,
// duplicates or trailing data make Import refuse the whole stream
// (ErrInvalidExport); a later incompatible change gets a new version number.
// Import builds a new vault (new id and VK, slots as for Init) under a
// temporary name and links it into place only when the whole stream was
// read, so a damaged or truncated export leaves nothing behind. Empty
// logical buckets are not exported.
//
// # Concurrency and safety
//
// Every View or Update is one bbolt transaction: all of it lands or none.
// bbolt holds flock on the file for the life of the handle (shared for
// read-only, exclusive for read-write), so writers in different processes
// are serialised and wait up to Options.Timeout. Unlock reads the slots with a
// short read-only open and does the scrypt work with the file closed; it
// never writes, so a wrong passphrase leaves the file byte-for-byte
// unchanged. Every slot change and Rekey first checks, inside its write
// transaction, that the file is still under the Vault's key (ErrRekeyed if
// another process rekeyed it). bbolt panics and memory faults on a
// damaged or truncated file are recovered and returned as ErrCorrupt.
//
// bbolt trusts every page id, count and offset in the file, so a damaged
// file can make it loop, allocate gigabytes or fault where the fault
// cannot be recovered (its consistency check runs in a goroutine of its
// own). Before bbolt walks a file, the vault walks the page structure
// itself (pagecheck.go), reading each page at most once with every number
// checked: Verify always checks all of it, then runs bbolt's check;
// ReadHeader, Unlock and the probe before a read-write open check the meta
// pages, the freelist page and the meta bucket; every handle checks the
// whole file when its pages total at most 4 MiB. A problem is ErrCorrupt
// (Verify lists it).
package vault
