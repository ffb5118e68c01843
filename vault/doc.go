// Package vault is the encrypted vault file of pkms: one file holding every
// key, alias, grant and audit record, readable only with the vault key.
//
// # Why this design
//
// The choice was measured (shared/reference/vault-and-tokens.md §4). A
// single age-encrypted blob rewritten on every change costs about 0.1 s,
// 1.1 s and 4.9 s per change at 1k, 10k and 100k keys and, without a
// separate lock, lost 19 of 20 parallel updates. An embedded B+tree
// (go.etcd.io/bbolt) with each record sealed on its own costs about 1 ms per
// write transaction whatever the size (22 ms for a whole CLI invocation),
// lost no update under 20 parallel writers, and showed no corruption in 160
// kill -9 rounds. AWS KMS records last usage on every cryptographic call, so
// even small vaults write often: hence bbolt.
//
// # Format (version 1)
//
// A bbolt file, created 0600 in a 0700 directory, with two top-level buckets:
//
//   - "meta", in plaintext: "format" (the format version in ASCII decimal),
//     "id" (16 random bytes), "check" (crypto.Seal of a constant under
//     DeriveKey(VK, "check") with the vault id as AAD, so a wrong key is a
//     clean error) and the bucket "slots".
//   - "data": one sub-bucket per logical bucket, created on first Put.
//
// The vault key VK is 32 random bytes. Each key slot (JSON: kind, label,
// created, and a small self-contained age file of VK) wraps it for one unlock
// method: a passphrase slot uses age scrypt, which age requires to be alone
// in its file; an identity slot uses one age recipient (X25519 or the
// post-quantum hybrid, which age refuses to mix with classic recipients).
// Separate age files per slot sidestep both mixing rules, and changing a
// passphrase rewraps one slot, never the data. age's default scrypt work
// factor (18) costs about 1.5 s per cold unlock (§1.1), so scripts go
// through an agent rather than lowering it.
//
// A record's on-disk key is HMAC-SHA-256(DeriveKey(VK, "record id"),
// bucket‖0‖id), so no key id, alias or tag is readable in the file. Its value
// is crypto.Seal under DeriveKey(VK, "record "+bucket) with AAD
// "pkms record v1"‖vault id‖bucket‖0‖on-disk key: a value moved to another
// record, bucket or vault fails to open (ErrCorrupt). Someone able to write
// the file can still roll one record back to an older value of the same
// record; that is accepted for a local tool.
//
// # Concurrency and safety
//
// Every View or Update is one bbolt transaction: all of it lands or none.
// bbolt holds flock on the file for the life of the handle (shared for
// read-only, exclusive for read-write), so writers in different processes
// are serialised and wait up to Options.Timeout. Unlock reads the slots with a
// short read-only open and does the scrypt work with the file closed; it
// never writes, so a wrong passphrase leaves the file byte-for-byte
// unchanged. A file written by a newer format version is refused
// (ErrNewerFormat) and never rewritten. bbolt panics and memory faults on a
// damaged or truncated file are recovered and returned as ErrCorrupt.
package vault
