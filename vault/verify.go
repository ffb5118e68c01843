package vault

import (
	"errors"

	bolt "go.etcd.io/bbolt"
)

// VerifyReport is what Verify found. Problems is empty for a sound vault.
type VerifyReport struct {
	FormatVersion int
	Slots         int // key slots that parsed
	Buckets       int // logical buckets holding records
	Records       int // entries examined (records and anything else found among them)
	Problems      []RecordProblem
}

// OK reports whether Verify found no problem.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

// Verify checks the whole vault without changing anything, in one read-only
// transaction: the page structure (checkPages first, then bbolt's own
// consistency check, which trusts that structure), the metadata (format,
// id, check value against this Vault's key, every key slot), and every
// record of every bucket (it authenticates, and the id inside maps back to
// its on-disk key). A damaged page structure is reported alone: nothing
// else is read through bbolt.
// Each failure is listed in the report, a damaged page structure too (then
// FormatVersion is 0: nothing was read); the error is for failing to run
// at all (closed, locked, a file bbolt cannot open, ErrRekeyed).
// Metadata problems have an empty Bucket and Record. progress is as in
// RekeyOptions.
func (v *Vault) Verify(progress func(done, total int)) (*VerifyReport, error) {
	rep := &VerifyReport{}
	var prog *progressFunc
	err := v.runRaw(false, func(btx *bolt.Tx) (*userPanic, error) {
		// bbolt's own check trusts the page structure, in a goroutine
		// where a memory fault cannot be recovered: check it first.
		pageProblems, err := checkPages(v.path, btx, false)
		if err != nil {
			return nil, err
		}
		for _, p := range pageProblems {
			rep.Problems = append(rep.Problems, RecordProblem{Reason: "page structure: " + p})
		}
		if len(pageProblems) > 0 {
			return nil, nil
		}
		for err := range btx.Check() {
			rep.Problems = append(rep.Problems, RecordProblem{Reason: "bbolt consistency check: " + err.Error()})
		}
		if st, err := readMeta(v.path, btx); err != nil {
			rep.Problems = append(rep.Problems, RecordProblem{Reason: err.Error()})
		} else {
			rep.FormatVersion = st.header.FormatVersion
			rep.Slots = len(st.slots)
			if !verifyCheck(v.keys.vk, v.id, st.check, st.header.FormatVersion) {
				rep.Problems = append(rep.Problems, RecordProblem{Reason: "the check value does not open under the vault key"})
			}
			rep.Problems = append(rep.Problems, v.slotProblems(st)...)
		}
		data := btx.Bucket(bucketData)
		if data == nil {
			return nil, nil // reported by readMeta
		}
		prog = newProgress(progress, countEntries(data))
		if err := prog.report(0); err != nil {
			return prog.panicked, err
		}
		last := ""
		err = walkEntries(data, func(e entry) error {
			if !e.stray && e.bucket != last {
				rep.Buckets++
				last = e.bucket
			}
			rep.Records++
			if _, value, err := v.openEntry(v.keys, e); err != nil {
				var p *RecordProblem
				if !errors.As(err, &p) {
					return err
				}
				rep.Problems = append(rep.Problems, *p)
			} else {
				clear(value)
			}
			return prog.report(rep.Records)
		})
		if err != nil {
			return prog.panicked, err
		}
		// The content summary: a bucket whose records failed above differs
		// from it anyway, so for those only a wrong count is news.
		damaged := map[string]bool{}
		for _, p := range rep.Problems {
			damaged[p.Bucket] = true
		}
		if stored, found, err := v.storedSummary(btx); err != nil {
			rep.Problems = append(rep.Problems, RecordProblem{Reason: err.Error()})
		} else {
			for _, p := range summaryProblems(stored, found, damaged) {
				rep.Problems = append(rep.Problems, RecordProblem{Reason: p})
			}
		}
		return nil, nil
	})
	var se *structureError
	if errors.As(err, &se) {
		// The handle did not open: the file's structure is damaged.
		rep = &VerifyReport{Slots: len(v.Slots())}
		for _, p := range se.problems {
			rep.Problems = append(rep.Problems, RecordProblem{Reason: "page structure: " + p})
		}
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}
