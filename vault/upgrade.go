package vault

import (
	bolt "go.etcd.io/bbolt"
)

// upgrade brings a format 2 vault to the current format inside a write
// transaction, under this Vault's key: every slot gets its MAC, the check
// value is rewritten for the new format (so that the format value cannot be
// set back to 2 without the vault failing to open) and the format value is
// set, and the content summary (summary.go) is computed from the records
// as they are. It does nothing to a vault already in the current format.
//
// A format 2 slot carries no MAC, so the upgrade trusts the slots as they
// are at that moment (trust on first use): a slot tampered with before the
// first write of this pkms release is signed with the rest, and so is a
// record removed before then. From then on a missing or wrong MAC is a
// tampered slot, and a record missing from the summary is damage.
func (v *Vault) upgrade(btx *bolt.Tx) error {
	meta, sb, err := v.metaBuckets(btx)
	if err != nil {
		return err
	}
	format, err := readFormat(v.path, meta)
	if err != nil || format >= FormatVersion {
		return err
	}
	if err := v.checkCurrentKey(meta); err != nil {
		return err
	}
	slots, signer, err := v.slotsWithSigner(sb)
	if err != nil {
		return err
	}
	defer signer.zero()
	for _, s := range slots {
		if err := putSlot(sb, s, signer); err != nil {
			return err
		}
	}
	data := btx.Bucket(bucketData)
	if data == nil {
		return corruptf(v.path, "no data bucket")
	}
	m, err := newSummer(v.keys)
	if err != nil {
		return err
	}
	defer m.wipe()
	if err := v.putSummary(meta, v.keys, computeSummary(data, m)); err != nil {
		return err
	}
	check, err := makeCheck(v.rand, v.keys.vk, v.id)
	if err != nil {
		return err
	}
	if err := meta.Put(keyCheck, check); err != nil {
		return err
	}
	return meta.Put(keyFormat, formatBytes(FormatVersion))
}
